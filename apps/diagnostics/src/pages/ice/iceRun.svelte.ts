/**
 * One run of the ICE test as reactive state: starts the checks (one per server URL × transport,
 * plus the shared gathering), then a TURN loopback per allocated TURN check, and keeps `report`
 * current while they report. The page renders `report` whether it is live or imported, so
 * there is one view of a run.
 */
import {
  ICE_REPORT_SCHEMA,
  ICE_REPORT_VERSION,
  credentialClockFindings,
  iceFindings,
  iceRunTargets,
  isServerAnswer,
  natMappingOf,
  reportServer,
  silentServerDeadlineMs,
  type IceFinding,
  type IcePolicy,
  type IceReport,
  type IceServerEntry,
} from '@workbench/core/ice-diagnostics';
import { m } from '@workbench/i18n/messages';

import { GatheringCheck, SharedGathering, TurnLoopbackCheck, type Checker, type CheckLogLevel, type PeerConnectionConstructor } from './checks.js';
import { toRtcIceServer } from './servers.js';

export type RunPhase = 'idle' | 'checking' | 'loopback' | 'done' | 'cancelled';

export interface RunSettings {
  servers: readonly IceServerEntry[];
  budgetMs: number;
  policy: IcePolicy;
  /** The workbench server's clock (its HTTP Date header), to compare with this page's. */
  serverDateMs?: number;
}

export interface IceRunOptions {
  log?: (level: CheckLogLevel, message: string, source?: string) => void;
  PeerConnection?: PeerConnectionConstructor;
}

/** At least this long for a relay-only loopback to connect (and again to move 1 MiB). */
const MIN_LOOPBACK_TIMEOUT_MS = 10_000;
/** How often candidate-only changes are redrawn while checks run. */
const REFRESH_MS = 100;

/** Resolves once the browser has rendered a frame; by a timer in a hidden tab, where frames stop. */
function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, 100);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(fallback);
        resolve();
      }, 0),
    );
  });
}

export class IceRunModel {
  /** The run as a report: replaced wholesale on every change, never mutated. */
  report: IceReport | null = $state.raw(null);
  phase: RunPhase = $state('idle');
  /** Milliseconds since Run, ticking while the checks run. */
  elapsedMs = $state(0);
  /** Where `report` came from: this page's run, or a file. */
  origin: 'run' | 'import' = $state('run');

  readonly running = $derived(this.phase === 'checking' || this.phase === 'loopback');
  /** 0–1: decided checks, the shared gathering and loopbacks, with the budget's clock as a floor. */
  readonly progress = $derived.by(() => {
    const report = this.report;
    if (!report) return 0;
    if (this.phase === 'done' || this.phase === 'cancelled') return 1;
    const checks = report.checks.length + 1 + report.loopbacks.length;
    const finished =
      report.checks.filter((c) => c.verdict !== null).length +
      Number(report.gathering !== null && report.gathering.status !== 'running' && report.gathering.status !== 'idle') +
      report.loopbacks.filter((l) => l.status !== 'running' && l.status !== 'idle').length;
    const byWork = finished / checks;
    const byClock = this.phase === 'checking' ? Math.min(1, this.elapsedMs / report.settings.budgetMs) * 0.9 : 0;
    return Math.max(byWork, byClock);
  });

  /** The live checks, for the console (`iceRun.checkers[0].pc`). */
  checkers: Checker[] = [];
  readonly #options: IceRunOptions;
  #controller: AbortController | undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #silenceTimer: ReturnType<typeof setTimeout> | undefined;
  #state:
    | {
        settings: RunSettings;
        startedAt: number;
        createdAt: string;
        checks: GatheringCheck[];
        shared: SharedGathering;
        loopbacks: TurnLoopbackCheck[];
        /** Known before any check runs: expired REST usernames, a page clock far from the server's. */
        clockFindings: IceFinding[];
      }
    | undefined;

  constructor(options: IceRunOptions = {}) {
    this.#options = options;
  }

  /** Runs every check; resolves with the final report. Servers must already be valid. */
  async start(settings: RunSettings): Promise<IceReport> {
    if (this.running) throw new Error(m.ice_run_in_progress());
    const controller = new AbortController();
    this.#controller = controller;
    const startedAt = performance.now();
    const common = {
      budgetMs: settings.budgetMs,
      policy: settings.policy,
      runStartedAt: startedAt,
      signal: controller.signal,
      ...(this.#options.PeerConnection ? { PeerConnection: this.#options.PeerConnection } : {}),
    };
    // One check per entry × transport, with ids unique even when two entries share a URL.
    const checks = iceRunTargets(settings.servers).map(
      (target) => new GatheringCheck(target, settings.servers.find((server) => server.id === target.serverId) as IceServerEntry, common),
    );
    const shared = new SharedGathering(
      settings.servers.map((server) => toRtcIceServer(server)),
      common,
    );
    const clockFindings = credentialClockFindings({
      servers: settings.servers,
      nowMs: Date.now(),
      ...(settings.serverDateMs !== undefined ? { serverDateMs: settings.serverDateMs } : {}),
    });
    for (const finding of clockFindings) this.#log('warn', m.ice_finding_log({ title: finding.title }));
    // A one-off ISO string for the report, not a Date kept in reactive state.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    this.#state = { settings, startedAt, createdAt: new Date().toISOString(), checks, shared, loopbacks: [], clockFindings };
    this.checkers = [...checks, shared];
    for (const checker of this.checkers) this.#watch(checker);
    for (const check of checks) check.on('change', () => this.#watchSilence(checks));
    this.origin = 'run';
    this.phase = 'checking';
    this.elapsedMs = 0;
    this.#log('info', m.ice_log_run_start({ count: checks.length, budget: settings.budgetMs / 1000, policy: settings.policy }));
    this.#refresh();
    // Let the page draw the new run before any clock starts: a render that overlaps gathering delays
    // the candidate events on this thread and would count against the verdict times.
    await afterNextPaint();

    const tick = setInterval(() => (this.elapsedMs = performance.now() - startedAt), 100);
    try {
      await Promise.all([...checks.map((check) => check.run()), shared.run()]);
    } finally {
      clearInterval(tick);
      clearTimeout(this.#silenceTimer);
      this.#silenceTimer = undefined;
      this.elapsedMs = performance.now() - startedAt;
    }

    if (!controller.signal.aborted) {
      const allocated = checks.filter((check) => check.verdict?.kind === 'relay-allocated');
      if (allocated.length > 0) {
        this.phase = 'loopback';
        const timeoutMs = Math.max(MIN_LOOPBACK_TIMEOUT_MS, settings.budgetMs);
        const loopbacks = allocated.map(
          (check) =>
            new TurnLoopbackCheck(check.target, check.server, {
              timeoutMs,
              signal: controller.signal,
              ...(this.#options.PeerConnection ? { PeerConnection: this.#options.PeerConnection } : {}),
            }),
        );
        this.#state.loopbacks = loopbacks;
        this.checkers = [...this.checkers, ...loopbacks];
        for (const loopback of loopbacks) this.#watch(loopback);
        this.#refresh();
        // One at a time: parallel transfers would share the machine and distort each throughput.
        for (const loopback of loopbacks) {
          if (controller.signal.aborted) break;
          await loopback.run();
        }
      }
    }
    this.phase = controller.signal.aborted ? 'cancelled' : 'done';
    this.#log('info', this.phase === 'done' ? m.ice_log_run_finished({ ms: Math.round(performance.now() - startedAt) }) : m.ice_log_run_cancelled());
    this.#refresh();
    this.#controller = undefined;
    return this.report as IceReport;
  }

  cancel(): void {
    this.#controller?.abort();
  }

  /** Shows an imported report; any live run is cancelled first. */
  show(report: IceReport): void {
    this.cancel();
    this.#state = undefined;
    this.checkers = [];
    this.report = report;
    this.origin = 'import';
    this.phase = 'done';
  }

  #watch(checker: Checker): void {
    let status = checker.status;
    let verdict = checker instanceof GatheringCheck ? checker.verdict : null;
    checker.on('change', () => {
      // A status change or a verdict (a provisional one too) is shown at once; candidates alone are batched.
      const now = checker instanceof GatheringCheck ? checker.verdict : null;
      const urgent = checker.status !== status || now !== verdict;
      status = checker.status;
      verdict = now;
      this.#scheduleRefresh(urgent);
    });
    checker.on('log', (level, message) => this.#log(level, message));
  }

  /**
   * Once some servers have answered, a check still silent after max(1 s, 10 × the slowest answer)
   * gets core's provisional "probably unreachable" at once; its budget still confirms it.
   */
  #watchSilence(checks: readonly GatheringCheck[]): void {
    const answers = checks.flatMap((check) => (check.verdict && isServerAnswer(check.verdict) ? [check.verdict.atMs] : []));
    const deadline = silentServerDeadlineMs(answers);
    if (deadline === undefined) return;
    const slowest = Math.max(...answers);
    let next = Infinity;
    for (const check of checks) {
      const silentFor = check.silentForMs();
      if (silentFor === undefined) continue;
      if (silentFor >= deadline) check.suspectSilence(slowest);
      else next = Math.min(next, deadline - silentFor);
    }
    clearTimeout(this.#silenceTimer);
    this.#silenceTimer = Number.isFinite(next) ? setTimeout(() => this.#watchSilence(checks), Math.ceil(next)) : undefined;
  }

  #log(level: CheckLogLevel, message: string): void {
    this.#options.log?.(level, message, 'ice');
  }

  #scheduleRefresh(urgent: boolean): void {
    if (urgent) {
      clearTimeout(this.#refreshTimer);
      this.#refreshTimer = undefined;
      queueMicrotask(() => this.#refresh());
      return;
    }
    // Candidates arrive in bursts while other checks still wait for theirs: redraw the table at
    // most every REFRESH_MS, so rendering does not hold up the events those checks are timing.
    this.#refreshTimer ??= setTimeout(() => {
      this.#refreshTimer = undefined;
      this.#refresh();
    }, REFRESH_MS);
  }

  #refresh(): void {
    const state = this.#state;
    if (!state) return;
    const { settings, checks, shared, loopbacks } = state;
    const reportChecks = checks.map((check) => ({
      id: check.target.id,
      serverId: check.server.id,
      url: check.target.url,
      serverUrl: check.target.serverUrl,
      kind: check.target.kind,
      transport: check.target.transport,
      status: check.status,
      startedAtMs: check.startedAtMs,
      verdict: check.verdict,
      candidates: [...check.candidates],
      errors: [...check.errors],
      ...(check.gatheringCompleteMs !== undefined ? { gatheringCompleteMs: check.gatheringCompleteMs } : {}),
    }));
    const gathering = shared.status === 'idle' ? null : shared.toReport();
    const checksDone = this.phase !== 'checking';
    this.report = {
      schema: ICE_REPORT_SCHEMA,
      version: ICE_REPORT_VERSION,
      createdAt: state.createdAt,
      userAgent: navigator.userAgent,
      settings: { budgetMs: settings.budgetMs, iceTransportPolicy: settings.policy, includesCredentials: false },
      durationMs: Math.round(performance.now() - state.startedAt),
      servers: settings.servers.map((server) => reportServer(server, false)),
      checks: reportChecks,
      gathering,
      loopbacks: loopbacks.map((loopback) => loopback.result),
      natMapping: checksDone ? natMappingOf(reportChecks, gathering, settings.policy) : null,
      findings: [
        ...state.clockFindings,
        ...iceFindings({
          candidates: [...reportChecks.flatMap((c) => c.candidates), ...(gathering?.candidates ?? [])],
          checks: reportChecks,
          loopbacks: loopbacks.map((loopback) => loopback.result),
        }),
      ],
    };
  }
}
