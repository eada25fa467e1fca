import type { Attachment } from 'svelte/attachments';

/**
 * `<video {@attach srcObject(stream)}>`: plays `stream` in the element. srcObject has no attribute
 * form, so a page would otherwise keep a `bind:this` and an `$effect` per video; Svelte runs the
 * attachment again whenever the stream it was given changes. `null` clears the picture (and resets
 * videoWidth to 0), as after Hang Up.
 */
export function srcObject(stream: MediaStream | null): Attachment<HTMLMediaElement> {
  return (element) => {
    element.srcObject = stream;
  };
}
