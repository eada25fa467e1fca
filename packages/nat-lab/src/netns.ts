/**
 * Runs the plan's commands and takes namespaces down again. Everything here is synchronous on
 * purpose: teardown must also work from a signal handler and from process 'exit', where nothing
 * asynchronous runs any more.
 */
import { execFileSync } from 'node:child_process';

import { labOwnerOf, type Command } from './plan.js';

/** A command of the plan failed: which one, and what it printed. */
export class LabCommandError extends Error {
  override readonly name = 'LabCommandError';
  constructor(
    readonly command: Command,
    readonly output: string,
    options?: { cause?: unknown },
  ) {
    super(`NAT lab: \`${command.join(' ')}\` failed: ${output.trim() || 'no output'}`, options);
  }
}

/** Each command is quick; one that hangs (a wedged netlink call) must not hang the run. */
const COMMAND_TIMEOUT_MS = 10_000;

export function runCommand(command: Command): string {
  const [file, ...args] = command;
  if (file === undefined) throw new TypeError('runCommand: empty command');
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: COMMAND_TIMEOUT_MS });
  } catch (error) {
    const failure = error as { stderr?: string; stdout?: string; message?: string };
    throw new LabCommandError(command, `${failure.stderr ?? ''}${failure.stdout ?? ''}` || (failure.message ?? ''), { cause: error });
  }
}

export function runCommands(commands: readonly Command[]): void {
  for (const command of commands) runCommand(command);
}

export function listNamespaces(): string[] {
  return runCommand(['ip', 'netns', 'list'])
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '');
}

/**
 * Kills every process in the namespace (browsers, coturn, servers started under `ip netns exec`),
 * then deletes it, which also deletes its interfaces and their veth peers. Bounded: two rounds of
 * SIGKILL, then the namespace is deleted regardless. Returns what went wrong, if anything.
 */
export function destroyNamespace(namespace: string): string[] {
  const problems: string[] = [];
  for (let round = 0; round < 2; round += 1) {
    let pids: number[];
    try {
      pids = runCommand(['ip', 'netns', 'pids', namespace])
        .split(/\s+/)
        .filter((p) => /^\d+$/.test(p))
        .map(Number);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
      break;
    }
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  try {
    runCommand(['ip', 'netns', 'del', namespace]);
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  return problems;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Namespaces of labs whose owning process is gone (a crashed or killed run), or of every lab with `all`. */
export function staleLabNamespaces(options: { all?: boolean } = {}): string[] {
  return listNamespaces().filter((ns) => {
    const owner = labOwnerOf(ns);
    if (owner === undefined) return false;
    return options.all === true || (owner !== process.pid && !isAlive(owner));
  });
}

/** `down`: removes what staleLabNamespaces finds. Hosts and routers go before pub, whose bridges they plug into. */
export function removeLabNamespaces(namespaces: readonly string[]): { removed: string[]; problems: string[] } {
  const ordered = [...namespaces].sort((x, y) => Number(x.endsWith('-pub')) - Number(y.endsWith('-pub')));
  const problems = ordered.flatMap(destroyNamespace);
  return { removed: ordered, problems };
}
