// The ICE page's live objects on `window`, for the console: `iceRun.report`, `iceRun.checkers[0].pc`.
import type { IceRunModel } from './iceRun.svelte.js';

declare global {
  interface Window {
    iceRun?: IceRunModel;
  }
}

export {};
