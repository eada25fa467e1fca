/** @workbench/core: framework-free WebRTC logic and the signaling protocol, re-exported in one place. */
export * from './protocol.js';
export * from './logger.js';
export * from './emitter.js';
export * from './errors.js';
export * from './media.js';
export * from './ice.js';
export * from './ice-servers.js';
export * from './negotiation.js';
export * from './peer.js';
export * from './data-channel.js';
export * from './stats.js';
export * from './signaling-client.js';
export * from './room-call.js';
export * from './ice-diagnostics.js';
export * from './quality.js';
export * from './webrtc-internals.js';
export * from './camera-probe.js';
