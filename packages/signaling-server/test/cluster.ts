/** Several real server processes (`node dist/cli.js --redis-url …` or `--redis-cluster …`) sharing one Redis, for the multi-process tests. */
import { spawnManaged, type ManagedProcess } from '@workbench/testing';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface ServerProcess {
  url: string;
  proc: ManagedProcess;
  /** Everything the process printed so far (not truncated, unlike proc.output()). */
  output(): string;
  /** JSON log records printed so far. */
  logs(): Record<string, unknown>[];
}

/** `redis`: a URL (`--redis-url`), or `{ cluster: 'host:port,…' }` (`--redis-cluster`). */
export async function startServerProcess(redis: string | { cluster: string }, extraArgs: string[] = [], timeoutMs = 20_000): Promise<ServerProcess> {
  const redisArgs = typeof redis === 'string' ? ['--redis-url', redis] : ['--redis-cluster', redis.cluster];
  const proc = spawnManaged('workbench-server', process.execPath, [
    CLI, '--port', '0', ...redisArgs, '--no-default-stun', '--log-format', 'json',
    // Hundreds of clients from 127.0.0.1 at once: the per-address caps are tested elsewhere.
    '--address-connections', '10000', '--address-handshake-rate', '10000', '--address-handshake-burst', '10000',
    '--address-join-rate', '10000', '--address-join-burst', '10000', ...extraArgs,
  ], { env: { PATH: process.env.PATH } });
  let output = '';
  proc.child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  proc.child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /Local:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
    if (match?.[1] !== undefined) {
      const url = match[1];
      const logs = () =>
        output
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
      return { url, proc, output: () => output, logs };
    }
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`server exited early:\n${output}`);
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`server printed no URL within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls a process's output for a log record matching `predicate`. */
export async function waitForLog(
  server: ServerProcess,
  predicate: (record: Record<string, unknown>) => boolean,
  timeoutMs = 10_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = server.logs().find(predicate);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no matching log line within ${timeoutMs} ms; output:\n${server.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
