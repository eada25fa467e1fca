/**
 * For a page that closes its signaling socket on `pagehide` (so the peer hears 'bye' at once):
 * back from the back/forward cache that socket is gone and the page shows a room it has left, so
 * it starts afresh. Use as `<svelte:window onpageshow={reloadWhenRestored} />`.
 */
export function reloadWhenRestored(event: PageTransitionEvent): void {
  if (event.persisted) location.reload();
}
