import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { HarnessError, HarnessErrorCode } from './errors.js';

/**
 * Everything the harness started in this process, so a test worker that exits without running its
 * teardown (a crash, a failing beforeAll, process.exit) still leaves no server or temp dir behind.
 */
const liveChildren = new Set<ChildProcess>();
const liveTempDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) {
      try {
        child.kill('SIGKILL');
      } catch {
        // Already gone; nothing left to clean.
      }
    }
    for (const dir of liveTempDirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** A temp directory removed by `remove()` or, at the latest, when this process exits. */
export function makeTempDir(prefix: string): { path: string; remove(): void } {
  installExitHook();
  const path = mkdtempSync(join(tmpdir(), `workbench-${prefix}-`));
  liveTempDirs.add(path);
  return {
    path,
    remove() {
      rmSync(path, { recursive: true, force: true });
      liveTempDirs.delete(path);
    },
  };
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process the harness owns: output is kept (bounded) for error messages, `stop()` always ends it. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited, however that happened. */
  readonly exited: Promise<ExitInfo>;
  /** The last ~64 KB of stdout+stderr. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_LIMIT = 64 * 1024;

export function spawnManaged(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): ManagedProcess {
  installExitHook();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  liveChildren.add(child);
  let output = '';
  const append = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<ExitInfo>((resolve) => {
    // 'error' covers a command that cannot be spawned at all (ENOENT); it is reported as an exit.
    child.once('error', (error) => {
      append(Buffer.from(`\n[spawn error] ${error.message}\n`));
      liveChildren.delete(child);
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal });
    });
  });
  return {
    name,
    child,
    exited,
    output: () => output,
    async stop(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null || !liveChildren.has(child)) {
        await exited;
        return;
      }
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Polls `probe` until it returns true; fails early, with the process output, if the process exits first.
 * Readiness is always checked by talking to the server (a real request), never by sleeping.
 */
export async function waitUntilReady(proc: ManagedProcess, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitInfo: ExitInfo | undefined;
  void proc.exited.then((info) => {
    exitInfo = info;
  });
  while (Date.now() < deadline) {
    if (exitInfo) {
      throw new HarnessError(
        HarnessErrorCode.ProcessExited,
        `${proc.name} exited (code ${exitInfo.code}, signal ${exitInfo.signal}) before it was ready. Its output:\n${proc.output()}`,
      );
    }
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await proc.stop();
  throw new HarnessError(
    HarnessErrorCode.StartTimeout,
    `${proc.name} was not ready after ${timeoutMs} ms. Its output:\n${proc.output()}`,
  );
}
