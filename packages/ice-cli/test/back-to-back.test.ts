// The command run again and again against one coturn, the way a shell loop or a cron job runs it:
// each run waits for the last, and nothing else happens in between. Issue 14: from the 10th run on,
// every run said "Unreachable: no answer within 5 s". coturn had not run out of anything; it had
// stopped, blocked writing its verbose log to the harness's stdout pipe, which nobody read while
// this process sat in spawnSync. The fix is in startCoturn (no-stdout-log); this test is the loop
// that found it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { parseIceReport } from '@workbench/core/ice-diagnostics';
import { startCoturn, type CoturnServer } from '@workbench/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../bin/webrtc-workbench.js', import.meta.url));
const SECRET = 'back-to-back-secret';
// Nine healthy runs filled the pipe (64 KiB of coturn's log beyond what the file keeps); three
// more make the tenth to twelfth fail on the old harness.
const RUNS = 12;

let turn: CoturnServer;

beforeAll(async () => {
  turn = await startCoturn({ authSecret: SECRET });
});

afterAll(async () => {
  await turn?.stop();
});

describe('webrtc-workbench ice, run back to back against one coturn', () => {
  it(`allocates and relays ${RUNS} times in a row when each run waits for the last (spawnSync, as a script does)`, () => {
    const outcomes: string[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      // Synchronous on purpose: this process's event loop does nothing while the command runs,
      // exactly as in the loop that failed.
      const ran = spawnSync(process.execPath, [CLI, 'ice', `turn:127.0.0.1:${turn.port}`, '--secret', SECRET, '--json'], { encoding: 'utf8', timeout: 60_000 });
      let outcome = `exit ${ran.status}: ${ran.stderr.trim()}`;
      try {
        const report = parseIceReport(ran.stdout);
        // The allocations and the relay path through them, run after run. Not the 1 MiB's speed:
        // on this loaded 2-core machine a UDP transfer sometimes stalls past its 10 s (packets
        // dropped at full socket buffers), which makes a run "degraded" (exit 1) in any order,
        // not from the tenth run on; it is a separate flaw and has no part in this one.
        const checks = report.checks.map((c) => `${c.transport} ${c.verdict?.kind}`);
        const relayed = report.loopbacks.map((l) => `${l.url.split('=')[1]} relay ${l.connectedMs !== undefined ? 'connected' : `not connected (${l.error})`}`);
        outcome = [...checks, ...relayed].join(', ');
      } catch {
        // Not a report: the stderr above says why.
      }
      outcomes.push(`run ${run}: ${outcome}`);
    }
    expect(outcomes).toEqual(
      Array.from({ length: RUNS }, (_, run) => `run ${run}: udp relay-allocated, tcp relay-allocated, udp relay connected, tcp relay connected`),
    );
  }, 300_000);
});
