// The camera page's live objects on `window`, for the console: `cameraProbe.results`,
// `await cameraProbe.probeResolutions({ sizes: [{ width: 1000, height: 700 }] })`.
import type { ProbeReport, ResolutionResult, STANDARD_RESOLUTIONS, measureVideoFrames, probeResolutions } from '@workbench/core/camera-probe';
import type { PassRecord } from './resultRows.js';

declare global {
  interface Window {
    cameraProbe?: {
      /** The last finished pass's report. */
      report: ProbeReport | null;
      /** What the table shows. */
      results: ResolutionResult[];
      /** Every pass run on this page, finished, cancelled or failed, oldest first. */
      passes: PassRecord[];
      probeResolutions: typeof probeResolutions;
      measureVideoFrames: typeof measureVideoFrames;
      STANDARD_RESOLUTIONS: typeof STANDARD_RESOLUTIONS;
    };
  }
}

export {};
