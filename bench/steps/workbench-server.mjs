#!/usr/bin/env node
/**
 * The workbench server for the steps benchmarks, in a process of its own as `npm start` runs it
 * (and as the two-page floor's relay runs): sharing the benchmark's process would put its socket.io
 * relaying behind Playwright's handling of four pages' DevTools traffic, a cost no real deployment
 * pays and the floor does not pay either. Serves the built apps, or with `--steps <dir>` another
 * build of the steps app (the before/after comparison).
 * Prints `listening <url>` once ready; SIGTERM closes it.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { startWorkbench } from '@workbench/testing';

const { values } = parseArgs({ options: { steps: { type: 'string' } } });
const workbench = await startWorkbench(values.steps ? { staticRoots: { steps: resolve(values.steps) } } : {});
const stop = () => workbench.close().then(() => process.exit(0), () => process.exit(1));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
console.log(`listening ${workbench.url}`);
