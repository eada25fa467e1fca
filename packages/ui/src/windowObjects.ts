/**
 * The live objects a page puts on `window` "to make them available to the browser console", as
 * webrtc/samples does: a learner can type `pc.getStats()` or `socket.id`. Kept untyped on the
 * global Window so each page declares only what it sets.
 */
import type { SignalingClient } from '@workbench/core/signaling-client';

export interface WindowObjects {
  pc?: RTCPeerConnection | undefined;
  stream?: MediaStream | undefined;
  socket?: SignalingClient['socket'] | undefined;
  dataChannel?: RTCDataChannel | undefined;
  [name: string]: unknown;
}

/** Sets (or, with `undefined`, clears) the named globals. */
export function exposeOnWindow(objects: WindowObjects): void {
  Object.assign(window, objects);
}
