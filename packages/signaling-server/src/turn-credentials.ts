/** TURN REST credentials: defined in core, shared with the terminal check (`webrtc-workbench ice --secret`). */
export { turnRestCredentials, type TurnCredentials } from '@workbench/core/turn-credentials';
