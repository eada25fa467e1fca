#!/usr/bin/env node
// A committed file, not dist/cli.js: npm links a workspace's bin at `npm ci` time only if the
// file exists then, and dist/ is built afterwards. Run `npm run build` (or `npm run ice`) first.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('webrtc-workbench: not built yet. Run `npm run build` at the repository root (or use `npm run ice -- <url>…`, which builds first).');
  process.exit(64);
}
await import(cli.href);
