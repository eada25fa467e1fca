// Step 3's channels on `window` for the console: `dataChannel.send('hi')`, `receiveChannel.readyState`.
interface Window {
  /** The sending side, created by pc1. */
  dataChannel?: RTCDataChannel;
  /** The receiving side, announced to pc2 by its `datachannel` event. */
  receiveChannel?: RTCDataChannel;
}
