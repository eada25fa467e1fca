/**
 * What /photo/ needs only once it talks to other machines: socket.io-client (through core's
 * SignalingClient), RoomCall (the peer connection and perfect negotiation), the chunked transfers and the ICE
 * server list, and the event log's words for them (photoLog: in Chinese or English, a few KB of text
 * the first load of the page need not carry). Imported with `import()` as soon as the page is up, so it arrives in a chunk of its
 * own instead of delaying the first paint.
 */
export { SignalingClient } from '@workbench/core/signaling-client';
export { RoomCall } from '@workbench/core/room-call';
export { ChunkReceiver, sendBlob, sha256Hex } from '@workbench/core/data-channel';
export { loadIceServers } from '@workbench/core/ice-servers';
export { describeJoined, describeStart, logExchange } from './photoLog.js';
