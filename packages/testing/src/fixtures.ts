import { fileURLToPath } from 'node:url';

/** Static pages that ship with the harness, served with `startWorkbench({ staticRoots: { steps: … } })`. */
export const FIXTURES = {
  /** A blank page on the server's origin: a secure context to run browser code in, independent of the apps. */
  harnessPage: fileURLToPath(new URL('../fixtures/harness-page/', import.meta.url)),
  /** A client that speaks the codelab's step-5 protocol exactly (written here): proves the server is wire-compatible with it. */
  codelabStep05: fileURLToPath(new URL('../fixtures/codelab-step-05/', import.meta.url)),
} as const;
