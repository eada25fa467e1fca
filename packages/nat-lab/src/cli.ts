#!/usr/bin/env node
/**
 * The NAT lab's entry point (npm run nat-lab).
 *
 *   node dist/cli.js run [-- <vitest args>]   check the machine, remove a crashed run's namespaces,
 *                                             run every scenario, print the table (default command)
 *   node dist/cli.js quality [-- <vitest args>]
 *                                             the same for the quality lab (npm run quality-lab): loss
 *                                             and rate caps against /diagnostics/quality/
 *   node dist/cli.js preflight                 "ok", or why the lab cannot run here (exit 1)
 *   node dist/cli.js down [--all]              remove namespaces of labs whose process is gone (--all: every lab's)
 *   node dist/cli.js table                     print the table of the last run again
 *   node dist/cli.js quality-table             the same for the quality lab
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { removeLabNamespaces, staleLabNamespaces } from './netns.js';
import { ensureSbinOnPath, preflight } from './preflight.js';
import { formatQualityTable, QUALITY_RESULTS_PATH, type QualityLabResults } from './quality-results.js';
import { RESULTS_PATH, type LabResults } from './results.js';
import { formatTable } from './table.js';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

function down(all: boolean): number {
  ensureSbinOnPath();
  const { removed, problems } = removeLabNamespaces(staleLabNamespaces({ all }));
  console.log(removed.length === 0 ? 'nat-lab: no lab namespaces to remove' : `nat-lab: removed ${removed.join(', ')}`);
  for (const problem of problems) console.error(`nat-lab: ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

function printTable(since = 0): boolean {
  if (!existsSync(RESULTS_PATH) || statSync(RESULTS_PATH).mtimeMs < since) return false;
  const results = JSON.parse(readFileSync(RESULTS_PATH, 'utf8')) as LabResults;
  console.log(`\nNAT lab (${results.chromium}, ${(results.durationMs / 1000).toFixed(0)} s):\n`);
  console.log(formatTable(results));
  console.log(`\nA = site A (10.0.1.2), B = site B (10.0.2.2); pairs are local↔remote as that side's pc.getStats() reports them.\nResults: ${RESULTS_PATH}`);
  return true;
}

function printQualityTable(since = 0): boolean {
  if (!existsSync(QUALITY_RESULTS_PATH) || statSync(QUALITY_RESULTS_PATH).mtimeMs < since) return false;
  const results = JSON.parse(readFileSync(QUALITY_RESULTS_PATH, 'utf8')) as QualityLabResults;
  console.log(`\nQuality lab (${results.chromium}, ${(results.durationMs / 1000).toFixed(0)} s):\n`);
  console.log(formatQualityTable(results));
  if (results.delaySkipped) console.log(`\nDelay and jitter scenarios were not run: ${results.delaySkipped}.`);
  if (results.call) console.log(`\n/call/ under 10 % loss both ways: ${results.call.connected ? `connected in ${(results.call.ms / 1000).toFixed(1)} s` : 'did not connect'}; remote video plays: A ${results.call.remoteVideoPlays.a ? 'yes' : 'no'}, B ${results.call.remoteVideoPlays.b ? 'yes' : 'no'}.`);
  console.log(`\nLoss: percent of the packets counted over the window, as the receiver's page reports it; a→b is what A sends to B.\nResults: ${QUALITY_RESULTS_PATH}`);
  return true;
}

/** The two labs share the machine check, the namespaces' cleanup and the runner; each has its test file and table. */
const LABS = {
  // The ICE misconfiguration lab (a TURN server with a private relay address, then its relay ports
  // dropped) rides with the NAT lab: same machine check, a minute more.
  nat: { name: 'NAT lab', files: ['test/nat-lab.lab.test.ts', 'test/ice-misconfig.lab.test.ts'], printTable, resultsPath: RESULTS_PATH },
  quality: { name: 'quality lab', files: ['test/quality-lab.lab.test.ts'], printTable: printQualityTable, resultsPath: QUALITY_RESULTS_PATH },
} as const;

async function run(which: keyof typeof LABS, vitestArgs: string[]): Promise<number> {
  const labInfo = LABS[which];
  const check = preflight();
  if (!check.ok) {
    console.error(`${labInfo.name} cannot run: ${check.reason}`);
    return 1;
  }
  down(false);
  const started = Date.now();
  const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
  const child = spawn(process.execPath, [vitest, 'run', '--config', 'vitest.lab.config.ts', ...labInfo.files, ...vitestArgs], { cwd: PACKAGE_DIR, stdio: 'inherit' });
  // Ctrl-C reaches vitest too (same process group); this process stays to clean up after it.
  const ignore = () => undefined;
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  const code = await new Promise<number>((resolve) => child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))));
  process.off('SIGINT', ignore);
  process.off('SIGTERM', forward);
  // The test process removes its namespaces itself; a worker killed outright cannot.
  down(false);
  if (!labInfo.printTable(started)) console.error(`nat-lab: no results were written (${labInfo.resultsPath}); see the output above.`);
  return code;
}

async function main(argv: string[]): Promise<number> {
  const [command = 'run', ...rest] = argv;
  switch (command) {
    case 'run':
      return run('nat', rest[0] === '--' ? rest.slice(1) : rest);
    case 'quality':
      return run('quality', rest[0] === '--' ? rest.slice(1) : rest);
    case 'preflight': {
      const check = preflight();
      console.log(check.ok ? 'ok' : check.reason);
      return check.ok ? 0 : 1;
    }
    case 'down':
      return down(rest.includes('--all'));
    case 'table':
      return printTable() ? 0 : (console.error(`nat-lab: no results yet (${RESULTS_PATH}); run npm run nat-lab`), 1);
    case 'quality-table':
      return printQualityTable() ? 0 : (console.error(`nat-lab: no quality lab results yet (${QUALITY_RESULTS_PATH}); run npm run quality-lab`), 1);
    default:
      console.error(`nat-lab: unknown command ${JSON.stringify(command)}; use run, quality, preflight, down [--all], table or quality-table`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
