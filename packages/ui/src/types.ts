/** Shapes the shared components take, kept out of the .svelte files so pages can import them. */

/**
 * A failure explained for a person. Core's explanations (`explainMediaError` and friends) have
 * this shape; the UI does not import them so it can show any error the same way.
 */
export interface ErrorExplanation {
  title: string;
  detail: string;
  fix: string;
  /** Stable code, e.g. `CAMERA_DENIED`, shown small so a bug report can quote it. */
  code?: string;
  /** The browser's `error.name`, e.g. `NotAllowedError`. */
  name?: string;
}

export type BadgeTone = 'neutral' | 'info' | 'success' | 'warning' | 'danger';
