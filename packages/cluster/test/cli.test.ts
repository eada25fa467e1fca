/**
 * `npm run cluster` as a person runs it: the real command (dist/cli.js) prints where to go and each
 * process's port, everything answers, Ctrl+C stops it all; a missing program is one line; a process
 * that dies takes the command down with it, saying which.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { httpGet } from '../src/cluster.js';
import { until } from './clients.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const running: ChildProcessWithoutNullStreams[] = [];

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, [CLI, ...args], { env });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

async function refused(url: string): Promise<boolean> {
  return httpGet(`${url}/healthz`, { timeoutMs: 2000 }).then(
    () => false,
    (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED',
  );
}

describe('npm run cluster', () => {
  it('prints the URL and each process, serves through nginx, and stops everything on Ctrl+C', async () => {
    const cluster = run(['--port', '0', '--processes', '2', '--', '--no-default-stun']);
    await until(() => cluster.stdout().includes('Press Ctrl+C to stop.') || cluster.child.exitCode !== null, 30_000, 'the banner');
    const out = cluster.stdout();
    const open = /Open: +(http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1];
    const processes = [...out.matchAll(/Process (\d): +(http:\/\/127\.0\.0\.1:\d+)\//g)].map((m) => m[2]!);
    expect(open, `${out}\n${cluster.stderr()}`).toBeDefined();
    expect(processes).toHaveLength(2);
    // Each process's own banner is left out; the cluster's stands for all of them.
    expect(out.match(/Press Ctrl\+C to stop\./g)).toHaveLength(1);
    for (const url of [open!, ...processes]) expect((await httpGet(`${url}/healthz`)).status).toBe(200);

    cluster.child.kill('SIGINT');
    expect(await cluster.exited).toBe(0);
    for (const url of [open!, ...processes]) expect(await refused(url), url).toBe(true);
  }, 60_000);

  it('fails with one line naming what is missing, before starting anything', async () => {
    const cluster = run(['--port', '0'], { ...process.env, NGINX_PATH: '/nonexistent/nginx' });
    expect(await cluster.exited).toBe(1);
    expect(cluster.stderr()).toBe('workbench-cluster: NGINX_PATH=/nonexistent/nginx is not an executable file (point it at nginx or unset it)\n');
    expect(cluster.stdout()).toBe('');
  });

  it('stops the rest and fails, naming it, when a server process dies', async () => {
    const cluster = run(['--port', '0', '--', '--no-default-stun']);
    await until(() => cluster.stdout().includes('Press Ctrl+C to stop.') || cluster.child.exitCode !== null, 30_000, 'the banner');
    const out = cluster.stdout();
    const open = /Open: +(http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1];
    const pid = Number(/Process 2: .* pid (\d+)/.exec(out)?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    expect(await cluster.exited).toBe(1);
    expect(cluster.stderr()).toMatch(/^workbench-cluster: server process 2 exited \(code null, signal SIGKILL\)/);
    expect(await refused(open!)).toBe(true);
  }, 60_000);
});
