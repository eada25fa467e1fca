/**
 * The running lab: the pub namespace with coturn and two signaling servers, NAT'd sites added per
 * scenario, Chromium launched inside a site's host namespace. Everything it creates is removed by
 * stop(), and, should the process be interrupted, by its SIGINT/SIGTERM/exit handlers; a run that
 * was killed outright leaves namespaces named after its pid, which `down` (and the next run) removes.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromiumArgs, findChromium, findTurnserver, makeTempDir, REPO_ROOT, spawnManaged, type ManagedProcess } from '@workbench/testing';
import { chromium, type Browser } from 'playwright-core';

import { LAB_ICE_URLS, labCoturnConfig } from './coturn-config.js';
import { destroyNamespace, runCommands } from './netns.js';
import { labPrefix, PORTS, PUBLIC, publicPlan, sitePlan, type NatKind, type Side, type SitePlan } from './plan.js';
import { preflight } from './preflight.js';
import type { HttpProbeAnswer, ProbeRequest, StunProbeAnswer } from './probe.js';

// Built JavaScript in both cases: this module runs from dist/ (cli) or src/ (vitest), one level down.
const PROBE_SCRIPT = fileURLToPath(new URL('../dist/probe.js', import.meta.url));
const SERVER_CLI = join(REPO_ROOT, 'packages', 'signaling-server', 'dist', 'cli.js');
const ICE_CLI = join(REPO_ROOT, 'packages', 'ice-cli', 'dist', 'cli.js');

/** The two servers' origins: what the browsers open. */
export const LAB_ORIGINS = {
  stunOnly: `http://${PUBLIC.serverIp}:${PORTS.stunOnlyServer}`,
  turn: `http://${PUBLIC.serverIp}:${PORTS.turnServer}`,
} as const;

export interface LabSite extends SitePlan {
  browser?: Browser;
}

/** Polls `probe` every `intervalMs` until it returns true: at most `attempts` times, at most `timeoutMs`. */
export async function waitFor(what: string, probe: () => Promise<boolean>, options: { attempts: number; timeoutMs: number; intervalMs: number; detail?: () => string }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  for (let attempt = 1; attempt <= options.attempts && Date.now() < deadline; attempt += 1) {
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
  throw new Error(`NAT lab: ${what} not ready after ${options.attempts} tries / ${options.timeoutMs} ms.${lastError ? ` Last error: ${lastError}` : ''}${options.detail ? `\n${options.detail()}` : ''}`);
}

export class NatLab {
  readonly prefix: string;
  readonly pub: string;
  readonly secret = randomBytes(24).toString('base64url');
  private readonly dir = makeTempDir('nat-lab');
  private readonly namespaces: string[] = [];
  private readonly processes: ManagedProcess[] = [];
  private readonly sites: LabSite[] = [];
  private coturn: ManagedProcess | undefined;
  private stopped = false;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.destroySync();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  private readonly onExit = () => this.destroySync();

  private constructor(pid: number) {
    this.prefix = labPrefix(pid);
    this.pub = `${this.prefix}-pub`;
  }

  /** Builds pub, starts coturn and the two signaling servers, and waits until each answers a real request. */
  static async start(): Promise<NatLab> {
    const check = preflight();
    if (!check.ok) throw new Error(`NAT lab cannot run: ${check.reason}`);
    const lab = new NatLab(process.pid);
    process.on('SIGINT', lab.onSignal);
    process.on('SIGTERM', lab.onSignal);
    process.on('exit', lab.onExit);
    try {
      await lab.startPublic();
    } catch (error) {
      await lab.stop();
      throw error;
    }
    return lab;
  }

  private async startPublic(): Promise<void> {
    const plan = publicPlan(this.prefix);
    this.namespaces.push(plan.namespace);
    runCommands(plan.commands);

    const configPath = join(this.dir.path, 'turnserver.conf');
    writeFileSync(configPath, labCoturnConfig({ secret: this.secret, dir: this.dir.path }));
    this.coturn = this.spawnIn(this.pub, 'turnserver', [findTurnserver(), '-c', configPath]);

    const common = ['--host', PUBLIC.serverIp, '--log-level', 'warn', '--log-format', 'json', ...LAB_ICE_URLS.stun.flatMap((url) => ['--stun', url])];
    this.spawnIn(this.pub, 'signaling server (STUN only)', [process.execPath, SERVER_CLI, ...common, '--port', String(PORTS.stunOnlyServer)]);
    // The secret goes by environment, not argv, so it is not in `ps`.
    this.spawnIn(
      this.pub,
      'signaling server (STUN + TURN)',
      [process.execPath, SERVER_CLI, ...common, '--port', String(PORTS.turnServer), ...LAB_ICE_URLS.turn.flatMap((url) => ['--turn-url', url]), '--turn-ttl', '600'],
      { TURN_SECRET: this.secret },
    );

    // Generous: each probe is a Node process, and CI machines are small and busy.
    const ready = { attempts: 100, timeoutMs: 30_000, intervalMs: 200 };
    await Promise.all([
      waitFor('coturn (STUN on both addresses)', async () => (await this.stun(this.pub)).mapped.every((m) => m !== null), { ...ready, detail: () => this.coturnLog() }),
      ...Object.values(LAB_ORIGINS).map((origin) =>
        waitFor(`signaling server ${origin}`, async () => (await this.http(this.pub, `${origin}/healthz`)).status === 200, { ...ready, detail: () => this.output() }),
      ),
    ]);
  }

  /** A NAT'd site for scenario `index`, with its browser not yet launched. */
  addSite(index: number, side: Side, kind: NatKind): LabSite {
    const plan = sitePlan(this.prefix, this.pub, index, side, kind);
    this.namespaces.push(plan.router, plan.host);
    runCommands(plan.commands);
    const site: LabSite = { ...plan };
    this.sites.push(site);
    return site;
  }

  /**
   * Chromium inside the site's host namespace: a wrapper script runs it under `ip netns exec`, and
   * Playwright still drives it, because it talks over --remote-debugging-pipe (fds 3 and 4), which
   * `ip netns exec` passes on; a debugging port would be in the other namespace. `fakeVideoFile`:
   * a .y4m played as the camera instead of Chromium's built-in pattern.
   */
  async launchBrowser(site: LabSite, options: { fakeVideoFile?: string } = {}): Promise<Browser> {
    const wrapper = join(this.dir.path, `chromium-${site.host}.sh`);
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec '${site.host}' '${findChromium()}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    site.browser = await chromium.launch({
      executablePath: wrapper,
      headless: process.env['HEADED'] !== '1',
      // getUserMedia needs a secure context; http://localhost is one, http://203.0.113.10 is not,
      // and the lab has no name to give a certificate to. This flag makes these two origins count
      // as secure in this throwaway browser profile only, so /call/ can use the (fake) camera.
      args: chromiumArgs({
        ...(options.fakeVideoFile !== undefined ? { fakeVideoFile: options.fakeVideoFile } : {}),
        extraArgs: [`--unsafely-treat-insecure-origin-as-secure=${Object.values(LAB_ORIGINS).join(',')}`],
      }),
    });
    return site.browser;
  }

  /** Closes a scenario's browsers and removes its routers and hosts (fresh conntrack for the next one). */
  async removeSites(sites: readonly LabSite[]): Promise<void> {
    await Promise.all(sites.map((site) => site.browser?.close().catch(() => undefined)));
    const removed = new Set(sites.flatMap((site) => [site.host, site.router]));
    for (const ns of removed) destroyNamespace(ns);
    const keptNamespaces = this.namespaces.filter((ns) => !removed.has(ns));
    this.namespaces.splice(0, this.namespaces.length, ...keptNamespaces);
    const keptSites = this.sites.filter((site) => !sites.includes(site));
    this.sites.splice(0, this.sites.length, ...keptSites);
  }

  /** One UDP socket in `namespace` asks both STUN addresses for its mapping. */
  stun(namespace: string, timeoutMs = 1000): Promise<StunProbeAnswer> {
    const targets = [PUBLIC.serverIp, PUBLIC.secondStunIp].map((host) => ({ host, port: PORTS.stunTurn }));
    return this.probe<StunProbeAnswer>(namespace, { kind: 'stun', targets, timeoutMs });
  }

  http(namespace: string, url: string, timeoutMs = 2000): Promise<HttpProbeAnswer> {
    return this.probe<HttpProbeAnswer>(namespace, { kind: 'http', url, timeoutMs });
  }

  private probe<T>(namespace: string, request: ProbeRequest): Promise<T> {
    return new Promise((resolve, reject) => {
      const targets = request.kind === 'stun' ? request.targets.length : 1;
      // Node's start-up on a busy 2-core machine can take seconds; the probe's own timeouts are the real bound.
      const limitMs = request.timeoutMs * targets + 15_000;
      execFile(
        'ip',
        ['netns', 'exec', namespace, process.execPath, PROBE_SCRIPT, JSON.stringify(request)],
        { timeout: limitMs, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (error) {
            const how = error.killed ? `killed after ${limitMs} ms` : `exit ${String(error.code)}`;
            reject(new Error(`probe in ${namespace} failed (${how}): ${stderr.trim() || error.message}`));
          } else resolve(JSON.parse(stdout) as T);
        },
      );
    });
  }

  /**
   * The terminal check in `namespace` with `--json`: what it printed and its exit code (1 or 2 are
   * verdicts, not failures of the command).
   */
  iceCli(namespace: string, args: readonly string[], timeoutMs = 60_000): Promise<{ exitCode: number; stdout: string }> {
    return new Promise((resolve, reject) => {
      execFile(
        'ip',
        ['netns', 'exec', namespace, process.execPath, ICE_CLI, 'ice', '--json', ...args],
        { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const exitCode = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          if (error && (error.killed || exitCode < 1 || exitCode > 2)) {
            reject(new Error(`webrtc-workbench ice in ${namespace} failed (${error.killed ? `killed after ${timeoutMs} ms` : `exit ${exitCode}`}): ${stderr.trim() || error.message}`));
            return;
          }
          resolve({ exitCode, stdout });
        },
      );
    });
  }

  /** The end of coturn's log (it writes a file, not stdout), for failure messages. */
  coturnLog(): string {
    const path = join(this.dir.path, 'turnserver.log');
    const text = existsSync(path) ? readFileSync(path, 'utf8') : (this.coturn?.output() ?? '');
    return text.slice(-4000);
  }

  /** The servers' and coturn's recent output, for failure messages. */
  output(): string {
    return this.processes.map((p) => `--- ${p.name}\n${p.output().slice(-2000)}`).join('\n');
  }

  private spawnIn(namespace: string, name: string, argv: string[], env: Record<string, string> = {}): ManagedProcess {
    const proc = spawnManaged(name, 'ip', ['netns', 'exec', namespace, ...argv], { env: { ...process.env, ...env } });
    this.processes.push(proc);
    return proc;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    await Promise.all(this.sites.map((site) => site.browser?.close().catch(() => undefined)));
    await Promise.all(this.processes.map((p) => p.stop(2000)));
    this.destroySync();
  }

  /** Kills whatever runs in the lab's namespaces and deletes them; safe to call twice, and from a signal handler. */
  destroySync(): string[] {
    if (this.stopped) return [];
    this.stopped = true;
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    process.off('exit', this.onExit);
    // Hosts and routers first: their veths plug into pub's bridges.
    const problems = [...this.namespaces].reverse().flatMap(destroyNamespace);
    this.namespaces.length = 0;
    this.dir.remove();
    return problems;
  }
}
