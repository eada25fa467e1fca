/**
 * The codelab's own flow, the second anchor for /call/: the script of
 * packages/testing/fixtures/codelab-step-05 (a client that speaks the codelab's step-5 protocol on
 * the wire, as the server's compat tests use it), against the same workbench server.
 *
 * The codelab does everything as its script runs: io.connect(), 'create or join', getUserMedia.
 * So that its clock starts where /call/'s does (at the second page's Join, with the page already
 * loaded), this page loads what the codelab's page loads first (the server's socket.io client,
 * adapter.js) and fetches the fixture's script, then runs that script unchanged, as a classic
 * script (its top-level `var`s on window, as in the codelab), when Start is clicked. The socket's
 * connection is therefore inside the codelab's time, as it is in the codelab: that is its flow.
 * The one change, made where lib.mjs serves it: the room comes from `?room=` instead of the fixed
 * 'foo', so every run has a fresh room.
 */
function loadClassicScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.addEventListener('load', resolve, { once: true });
    script.addEventListener('error', () => reject(new Error(`could not load ${src}`)), { once: true });
    document.head.append(script);
  });
}

const button = document.querySelector('button');
await loadClassicScript('/socket.io/socket.io.js');
await loadClassicScript('./codelab/adapter.js');
const source = await (await fetch('./codelab/main.js')).text();
button.addEventListener('click', () => {
  button.disabled = true;
  const script = document.createElement('script');
  script.textContent = source;
  document.body.append(script); // an inline classic script runs as it is inserted
});
button.disabled = false;
