#!/usr/bin/env node
// What `npm test` runs, in order: system packages, build, check, unit + integration tests, browser
// tests, then the NAT lab and the quality lab (packages/nat-lab) where they can run: Linux, root,
// iproute2 and iptables. Where they cannot, one line says why and the run does not fail, unless
// WORKBENCH_REQUIRE_NAT_LAB=1 (CI sets it), which makes a lab that did not run a failure. Every vitest run writes a JSON
// report; at the end they are summed into a per-package table and the last line is exactly
// `N passed, N failed` (CI reads it). Exits non-zero if any stage failed, any test failed or was
// skipped, a package produced no report, or no test ran at all.
//
// Usage: node scripts/test.mjs [--only=unit|soak|e2e|nat-lab|quality-lab] (npm test -- --only=e2e)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TURBO = join(ROOT, 'node_modules', '.bin', 'turbo');
const REPORT_DIR = 'test-results';

/** The vitest stages; each package writes its report to `<package>/test-results/<file>`. */
const SUITES = [
  { stage: 'test', task: 'test', label: 'unit', reportFile: 'vitest.json', turboArgs: [] },
  // The signaling soak compares honest latency in an idle phase and under attack: alone on the
  // machine, not while every other package's unit tests run beside one of its phases.
  { stage: 'test:soak', task: 'test:soak', label: 'soak', reportFile: 'vitest.soak.json', turboArgs: ['--concurrency=1'] },
  // Browser tests one package at a time: each starts browsers and servers, and CI machines have 2 cores.
  { stage: 'test:e2e', task: 'test:e2e', label: 'e2e', reportFile: 'vitest.e2e.json', turboArgs: ['--concurrency=1'] },
];
/** The NAT lab: its own runner (node packages/nat-lab/dist/cli.js), which checks the machine first. */
const NAT_LAB = { name: 'NAT lab', stage: 'nat-lab', task: 'test:nat-lab', label: 'nat-lab', reportFile: 'vitest.nat-lab.json', command: 'run' };
/** The quality lab (issue 17): the same package, machine check and namespaces; loss and rate caps against /diagnostics/quality/. */
const QUALITY_LAB = { name: 'Quality lab', stage: 'quality-lab', task: 'test:quality-lab', label: 'quality-lab', reportFile: 'vitest.quality-lab.json', command: 'quality' };
const LABS = [NAT_LAB, QUALITY_LAB];
const NAT_LAB_CLI = join(ROOT, 'packages', 'nat-lab', 'dist', 'cli.js');
const requireNatLab = process.env.WORKBENCH_REQUIRE_NAT_LAB === '1';

const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
if (only !== undefined && !['unit', 'soak', 'e2e', 'nat-lab', 'quality-lab'].includes(only)) {
  console.error(`test.mjs: --only must be unit, soak, e2e, nat-lab or quality-lab, got ${only}`);
  process.exit(2);
}

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1', DO_NOT_TRACK: '1' };
const inCI = Boolean(process.env.CI);
// Grouped logs keep each package's output together; in CI nobody watches it stream.
const turboCommon = [inCI ? '--log-order=grouped' : '--log-order=stream', '--ui=stream'];

/** Workspace packages: name, directory and scripts, from the root package.json's workspace globs. */
function workspaces() {
  const { workspaces: globs = [] } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const dirs = [];
  for (const glob of globs) {
    if (!glob.endsWith('/*')) {
      dirs.push(join(ROOT, glob));
      continue;
    }
    const parent = join(ROOT, glob.slice(0, -2));
    if (!existsSync(parent)) continue;
    for (const entry of readdirSync(parent, { withFileTypes: true })) if (entry.isDirectory()) dirs.push(join(parent, entry.name));
  }
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return { name: pkg.name ?? relative(ROOT, dir), dir, scripts: pkg.scripts ?? {} };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function banner(text) {
  console.log(`\n${'='.repeat(8)} ${text} ${'='.repeat(Math.max(8, 70 - text.length))}`);
}

function run(name, command, args) {
  banner(`${name}: ${[command === process.execPath ? 'node' : relative(ROOT, command) || command, ...args].join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: ROOT, env, stdio: 'inherit' });
  const seconds = (Date.now() - started) / 1000;
  const ok = result.status === 0;
  const why = result.error ? result.error.message : result.signal ? `killed by ${result.signal}` : `exit ${result.status}`;
  console.log(`-- ${name}: ${ok ? 'ok' : `FAILED (${why})`} in ${seconds.toFixed(1)} s`);
  return { name, ok, seconds, why };
}

/** Sums one vitest JSON report. A file that failed outside any test (import error, failing hook) counts as one failure. */
function readReport(path) {
  const report = JSON.parse(readFileSync(path, 'utf8'));
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let fileErrors = 0;
  const failures = [];
  for (const file of report.testResults ?? []) {
    const results = file.assertionResults ?? [];
    const fileFailed = results.filter((r) => r.status === 'failed').length;
    const where = relative(ROOT, file.name ?? '?');
    for (const r of results.filter((r) => r.status === 'failed')) failures.push({ where, test: r.fullName ?? r.title, why: firstLine(r.failureMessages?.[0]) });
    if (file.status === 'failed' && fileFailed === 0) failures.push({ where, test: '(outside any test)', why: firstLine(file.message) });
    passed += results.filter((r) => r.status === 'passed').length;
    failed += fileFailed;
    skipped += results.filter((r) => ['skipped', 'pending', 'todo', 'disabled'].includes(r.status)).length;
    if (file.status === 'failed' && fileFailed === 0) fileErrors += 1;
  }
  // A run that failed without any failing test or file (e.g. an unhandled error between tests).
  if (report.success === false && failed === 0 && fileErrors === 0) fileErrors += 1;
  return { files: (report.testResults ?? []).length, passed, failed: failed + fileErrors, skipped, fileErrors, failures };
}

/** The first non-empty line of a failure message, without colour codes, cut to one screen line. */
function firstLine(text) {
  // eslint-disable-next-line no-control-regex
  const line = String(text ?? '').replace(/\u001b\[[0-9;]*m/g, '').split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

const packages = workspaces();
const suites = SUITES.filter((s) => only === undefined || s.label === only);

// Stale reports would be summed as if they had just run.
for (const pkg of packages) {
  for (const suite of [...SUITES, ...LABS]) rmSync(join(pkg.dir, REPORT_DIR, suite.reportFile), { force: true });
}

const stages = [];
stages.push(run('system-deps', 'bash', [join(ROOT, 'scripts', 'system-deps.sh')]));
// Without the system packages every browser and coturn test would fail the same way; the script has
// already said what to install. After that, a failing stage does not stop the run: packages that
// built still check and test (turbo skips the dependents of a failed build), so one run reports all.
const canContinue = () => stages[0].ok;
if (canContinue()) stages.push(run('build', TURBO, ['run', 'build', '--continue=dependencies-successful', ...turboCommon]));
if (canContinue() && only === undefined) {
  stages.push(run('check', TURBO, ['run', 'check', '--continue=dependencies-successful', ...turboCommon]));
}
const suitesRun = [];
for (const suite of suites) {
  if (!canContinue()) break;
  const reportPath = `${REPORT_DIR}/${suite.reportFile}`;
  suitesRun.push(suite);
  stages.push(
    run(suite.stage, TURBO, [
      'run', suite.task, '--continue=dependencies-successful', ...suite.turboArgs, ...turboCommon,
      '--', '--reporter=default', '--reporter=json', `--outputFile.json=${reportPath}`,
    ]),
  );
}

/** Why the labs cannot run here (their own preflight: Linux, root, ip, iptables, a namespace with NAT), or undefined. */
function natLabBlocker() {
  if (only !== undefined && !LABS.some((lab) => lab.label === only)) return `--only=${only}`;
  if (!canContinue()) return 'the system packages are missing';
  if (!existsSync(NAT_LAB_CLI)) return `${relative(ROOT, NAT_LAB_CLI)} is not built (see the build stage)`;
  const check = spawnSync(process.execPath, [NAT_LAB_CLI, 'preflight'], { cwd: ROOT, env, encoding: 'utf8' });
  if (check.status === 0) return undefined;
  return (check.stdout || check.stderr || check.error?.message || `preflight exit ${check.status}`).trim().split('\n')[0];
}

const natLabNotRun = natLabBlocker();
/** The labs this run meant to run: both in a whole run, or the one --only names. */
const labsWanted = only === undefined ? LABS : LABS.filter((lab) => only === lab.label);
if (natLabNotRun === undefined) {
  for (const lab of labsWanted) {
    suitesRun.push(lab);
    stages.push(run(lab.stage, process.execPath, [NAT_LAB_CLI, lab.command, '--', '--reporter=default', '--reporter=json', `--outputFile.json=${REPORT_DIR}/${lab.reportFile}`]));
  }
} else {
  const fails = requireNatLab && labsWanted.length > 0 ? ' (WORKBENCH_REQUIRE_NAT_LAB=1: this fails the run)' : '';
  console.log('');
  for (const lab of labsWanted.length > 0 ? labsWanted : [NAT_LAB]) console.log(`${lab.name} not run: ${natLabNotRun}${fails}`);
}

// ---- summary -------------------------------------------------------------------------------
const rows = [];
for (const suite of suitesRun) {
  for (const pkg of packages) {
    if (!pkg.scripts[suite.task]) continue;
    const path = join(pkg.dir, REPORT_DIR, suite.reportFile);
    if (!existsSync(path)) {
      // The package should have reported and did not: its vitest never ran or crashed before writing.
      rows.push({ pkg: pkg.name, suite: suite.label, files: 0, passed: 0, failed: 1, skipped: 0, note: 'no report: did not run or crashed (see its log above)' });
      continue;
    }
    try {
      const r = readReport(path);
      const notes = [];
      if (r.fileErrors > 0) notes.push(`${r.fileErrors} file(s) failed outside a test`);
      if (r.passed + r.failed + r.skipped === 0) notes.push('no tests');
      rows.push({ pkg: pkg.name, suite: suite.label, ...r, note: notes.join('; ') });
    } catch (error) {
      rows.push({ pkg: pkg.name, suite: suite.label, files: 0, passed: 0, failed: 1, skipped: 0, note: `unreadable report: ${error.message}` });
    }
  }
}

const total = rows.reduce((t, r) => ({ passed: t.passed + r.passed, failed: t.failed + r.failed, skipped: t.skipped + r.skipped }), { passed: 0, failed: 0, skipped: 0 });

banner('summary');
const header = ['package', 'suite', 'files', 'passed', 'failed', 'skipped', ''];
const table = [header, ...rows.map((r) => [r.pkg, r.suite, String(r.files), String(r.passed), String(r.failed), String(r.skipped), r.note ?? '']), ['total', '', '', String(total.passed), String(total.failed), String(total.skipped), '']];
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
for (const [index, row] of table.entries()) {
  console.log(row.map((cell, i) => (i >= 2 && i <= 5 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd());
  if (index === 0 || (index === table.length - 2 && rows.length > 0)) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
// Which tests failed, so the tail of a CI log names them without scrolling back through every package's output.
const failures = rows.flatMap((r) => (r.failures ?? []).map((f) => ({ ...f, suite: r.suite })));
if (failures.length > 0) {
  console.log('\nfailed tests:');
  for (const f of failures) console.log(`  [${f.suite}] ${f.where} > ${f.test}\n      ${f.why}`);
}
console.log('');
for (const stage of stages) console.log(`stage ${stage.name.padEnd(12)} ${stage.ok ? 'ok    ' : 'FAILED'} ${stage.seconds.toFixed(1).padStart(6)} s${stage.ok ? '' : `  (${stage.why})`}`);

const problems = [];
const failedStages = stages.filter((s) => !s.ok).map((s) => s.name);
if (failedStages.length > 0) problems.push(`failed stage(s): ${failedStages.join(', ')}`);
if (!canContinue()) problems.push('later stages did not run (install the system packages named above)');
// A run narrowed with --only=unit|e2e did not mean to run the labs; a whole run (or --only=nat-lab|quality-lab) did.
if (natLabNotRun !== undefined && requireNatLab && labsWanted.length > 0) problems.push(`the labs did not run (${natLabNotRun}) and WORKBENCH_REQUIRE_NAT_LAB=1`);
if (total.failed > 0) problems.push(`${total.failed} test failure(s)`);
if (total.skipped > 0) problems.push(`${total.skipped} skipped/todo test(s): this project runs every test (remove .skip/.todo, or make the test run)`);
if (total.passed + total.failed === 0) problems.push('no tests ran');
console.log(problems.length > 0 ? `\nNOT OK: ${problems.join('; ')}` : '\nOK');

console.log(`${total.passed} passed, ${total.failed} failed`);
process.exit(problems.length > 0 ? 1 : 0);
