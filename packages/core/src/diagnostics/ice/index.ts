/**
 * ICE diagnostics: what a STUN/TURN test may conclude from what a browser reports, one module per
 * step of the reasoning. Pure functions over plain data: the ICE page and `webrtc-workbench ice` feed
 * them what their peer connections saw, so every rule is unit-tested without a browser.
 */
export * from './server-urls.js';
export * from './ice-errors.js';
export * from './verdicts.js';
export * from './nat-mapping.js';
export * from './findings.js';
export * from './share-link.js';
export * from './report.js';
export * from './loopback.js';
// format.ts (seconds, endpoint, TRANSPORT_LABEL) is left out on purpose: short names for these files' own use.
