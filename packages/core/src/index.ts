/** @workbench/core: framework-free WebRTC logic and the signaling protocol, re-exported in one place. */
export * from './protocol.js';
