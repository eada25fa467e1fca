/** The real `node dist/cli.js` (compiled by the global setup), as `npm start` runs it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CERT_FILE } from '../src/certificate.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const running: ChildProcess[] = [];
const temporary: string[] = [];

afterEach(async () => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of temporary.splice(0)) await rm(dir, { recursive: true, force: true });
});

interface Spawned {
  child: ChildProcess;
  output(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  // A clean environment, so a PORT or HTTPS in the developer's shell cannot change what is tested.
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, STUN_URLS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exit };
}

async function waitForUrl(spawned: Spawned, scheme: 'http' | 'https', timeoutMs = 15_000): Promise<string> {
  const pattern = new RegExp(`Local:\\s+(${scheme}://127\\.0\\.0\\.1:(\\d+))/`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(spawned.output());
    if (match?.[1] !== undefined) return match[1];
    if (spawned.child.exitCode !== null) throw new Error(`CLI exited early:\n${spawned.output()}`);
    if (Date.now() > deadline) throw new Error(`no URL printed within ${timeoutMs} ms:\n${spawned.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // Verified against the generated certificate as the only CA: the name 127.0.0.1 must be in it.
    get(url, { ca }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('workbench-server CLI', () => {
  it('with --port 0 prints the real URL, serves it, and exits cleanly within 5 s of SIGTERM', async () => {
    const cli = spawnCli(['--port', '0', '--no-default-stun', '--log-level', 'silent']);
    const url = await waitForUrl(cli, 'http');
    expect(url).not.toMatch(/:0$/);
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toMatchObject({ ok: true });
    expect(cli.output()).toContain('STUN none');

    const sentAt = Date.now();
    cli.child.kill('SIGTERM');
    const { code } = await cli.exit;
    expect(code).toBe(0);
    expect(Date.now() - sentAt).toBeLessThan(5000);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('shuts down on SIGINT even with a client still connected', async () => {
    const cli = spawnCli(['--port', '0']);
    const url = await waitForUrl(cli, 'http');
    const { io } = await import('socket.io-client');
    const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.emit('create or join', 'foo');
    const sentAt = Date.now();
    cli.child.kill('SIGINT');
    expect((await cli.exit).code).toBe(0);
    expect(Date.now() - sentAt).toBeLessThan(5000);
    socket.close();
  });

  it('lists LAN addresses and the phone hint when bound to 0.0.0.0', async () => {
    const cli = spawnCli(['--host', '0.0.0.0', '--port', '0']);
    await waitForUrl(cli, 'http');
    expect(cli.output()).toMatch(/LAN:/);
    expect(cli.output()).toMatch(/--https/);
    cli.child.kill('SIGTERM');
    expect((await cli.exit).code).toBe(0);
  });

  it('with --https serves TLS with a generated certificate for localhost and 127.0.0.1, reused next time', async () => {
    const certDir = await mkdtemp(join(tmpdir(), 'signaling-certs-'));
    temporary.push(certDir);
    const first = spawnCli(['--https', '--port', '0', '--cert-dir', certDir]);
    const url = await waitForUrl(first, 'https', 30_000);
    const certPem = await readFile(join(certDir, CERT_FILE), 'utf8');
    const cert = new X509Certificate(certPem);
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');

    const res = await httpsGet(`${url}/healthz`, certPem);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ ok: true });
    first.child.kill('SIGTERM');
    expect((await first.exit).code).toBe(0);

    const second = spawnCli(['--port', '0'], { HTTPS: '1', CERT_DIR: certDir });
    const again = await waitForUrl(second, 'https');
    expect(await readFile(join(certDir, CERT_FILE), 'utf8')).toBe(certPem);
    expect((await httpsGet(`${again}/healthz`, certPem)).status).toBe(200);
    second.child.kill('SIGTERM');
    expect((await second.exit).code).toBe(0);
  });

  it('refuses an unknown flag with the reason and the usage, exit code 2', async () => {
    const cli = spawnCli(['--prot', '4000']);
    const { code } = await cli.exit;
    expect(code).toBe(2);
    expect(cli.output()).toContain('Unknown flag "--prot"');
    expect(cli.output()).toContain('Usage: workbench-server');
  });

  it('prints the usage for --help and exits 0', async () => {
    const cli = spawnCli(['--help']);
    expect((await cli.exit).code).toBe(0);
    expect(cli.output()).toContain('--turn-secret');
  });

  it('explains a port that is already taken and exits 1', async () => {
    const holder = spawnCli(['--port', '0']);
    const url = await waitForUrl(holder, 'http');
    const port = new URL(url).port;
    const clash = spawnCli(['--port', port]);
    expect((await clash.exit).code).toBe(1);
    expect(clash.output()).toContain(`port ${port} on 127.0.0.1 is already in use`);
    holder.child.kill('SIGTERM');
    await holder.exit;
  });
});
