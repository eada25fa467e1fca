#!/usr/bin/env node
/**
 * `webrtc-workbench ice <url>…`: the ICE page's STUN/TURN verdicts from a terminal. Exit 0 every
 * check passed, 1 some failed or degraded, 2 none work, 64 usage error (one line, no stack).
 */
import { main } from './main.js';


const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
// libwebrtc's threads keep the process alive for seconds after the last peer connection closed:
// exit as soon as the output is flushed, so scripts and monitoring get the answer at once. Nothing
// is left on the TURN server: every peer connection was closed before main() returned, and
// closing one released its allocations (Refresh with LIFETIME 0, or the TCP connection closed).
process.stdout.write('', () => process.exit(code));

