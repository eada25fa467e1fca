import { createHmac } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/index.js';
import { makeStaticRoots } from './helpers.js';

let server: RunningServer;
let base: string;
const SECRET_TEXT = 'TOP-SECRET-OUTSIDE-DIST';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Sends the path byte for byte: fetch() would normalise `..` and `%2e%2e` away before sending. */
function raw(path: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  const roots = await makeStaticRoots({
    'steps/webcam/index.html': '<!doctype html><title>webcam step</title>',
    'steps/assets/main-AbC123.js': 'console.log("step")',
    'steps/assets/style-AbC123.css': 'body{}',
    'steps/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    'steps/decoder.wasm': '\0asm',
    'steps/manifest.json': '{}',
    'steps/fake.y4m': 'YUV4MPEG2 W2 H2',
    'steps/.env': 'SHOULD_NOT_LEAK',
    'diagnostics/ice/index.html': '<!doctype html><title>ice diagnostics</title>',
    'secret.txt': SECRET_TEXT,
    'index.js': `// the server's own source: ${SECRET_TEXT}`,
  });
  base = roots.base;
  await symlink(join(base, 'secret.txt'), join(roots.steps, 'leak.txt'));
  await symlink(base, join(roots.steps, 'escape'));
  server = await startServer({
    port: 0,
    logLevel: 'silent',
    staticRoots: { steps: roots.steps, diagnostics: roots.diagnostics },
    iceServers: { stun: ['stun:stun.example:3478'], turn: { urls: ['turn:127.0.0.1:3478'], secret: 'north-pole', ttlSeconds: 600 } },
  });
});

afterAll(async () => {
  await server.close();
  await rm(base, { recursive: true, force: true });
});

describe('static files', () => {
  it('serves the steps index at / with no-cache and the security headers', async () => {
    const res = await raw('/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('steps index');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['permissions-policy']).toContain('camera=(self)');
    expect(res.headers['permissions-policy']).toContain('microphone=(self)');
  });

  it('redirects a directory without its slash, keeping the query, and serves its index', async () => {
    expect(await raw('/webcam')).toMatchObject({ status: 301, headers: { location: '/webcam/' } });
    expect(await raw('/webcam?room=abc')).toMatchObject({ status: 301, headers: { location: '/webcam/?room=abc' } });
    const page = await raw('/webcam/?room=abc');
    expect(page.status).toBe(200);
    expect(page.body).toContain('webcam step');
    expect((await raw('/webcam/index.html')).body).toContain('webcam step');
  });

  it('serves the diagnostics app under /diagnostics/', async () => {
    expect(await raw('/diagnostics')).toMatchObject({ status: 301, headers: { location: '/diagnostics/' } });
    expect((await raw('/diagnostics/')).body).toContain('diagnostics index');
    expect(await raw('/diagnostics/ice')).toMatchObject({ status: 301, headers: { location: '/diagnostics/ice/' } });
    expect((await raw('/diagnostics/ice/')).body).toContain('ice diagnostics');
  });

  it.each([
    ['/assets/main-AbC123.js', 'text/javascript; charset=utf-8'],
    ['/assets/style-AbC123.css', 'text/css; charset=utf-8'],
    ['/logo.svg', 'image/svg+xml'],
    ['/decoder.wasm', 'application/wasm'],
    ['/manifest.json', 'application/json; charset=utf-8'],
    ['/fake.y4m', 'video/x-yuv4mpeg'],
  ])('serves %s as %s', async (path, type) => {
    const res = await raw(path);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
  });

  it('caches hashed assets for a year and everything else not at all without revalidation', async () => {
    expect((await raw('/assets/main-AbC123.js')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await raw('/logo.svg')).headers['cache-control']).toBe('no-cache');
  });

  it('answers a matching ETag with 304 and HEAD without a body', async () => {
    const first = await raw('/logo.svg');
    const etag = first.headers.etag ?? '';
    expect(etag).not.toBe('');
    const again = await raw('/logo.svg', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    const head = await raw('/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect(head.body).toBe('');
  });

  it.each([
    '/../secret.txt',
    '/../../../../etc/passwd',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/webcam/%2e%2e/%2e%2e/secret.txt',
    '/diagnostics/..%2f..%2fsecret.txt',
    '/diagnostics/%2e%2e/index.js',
    '/..%5csecret.txt',
    '/secret.txt%00.html',
    '/leak.txt',
    '/escape/secret.txt',
    '/escape/index.js',
    '/index.js',
    '/.env',
    '//secret.txt',
    '/%2fsecret.txt',
  ])('never serves anything outside the dist dirs: %s', async (path) => {
    const res = await raw(path);
    expect([400, 404]).toContain(res.status);
    expect(res.body).not.toContain(SECRET_TEXT);
    expect(res.body).not.toContain('SHOULD_NOT_LEAK');
  });

  it('answers unknown paths with 404 and other methods with 405', async () => {
    expect((await raw('/nope/')).status).toBe(404);
    expect((await raw('/nope.js')).status).toBe(404);
    expect((await raw('/webcam/index.html/')).status).toBe(404);
    const post = await raw('/', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('serves the socket.io client bundle that original codelab pages load', async () => {
    const res = await raw('/socket.io/socket.io.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.body).toContain('Socket.IO v4');
  });
});

describe('when the apps are not built', () => {
  it('answers 503 with a page saying to run npm run build', async () => {
    const missing = join(tmpdir(), `signaling-missing-${process.pid}`);
    const emptyDist = join(tmpdir(), `signaling-empty-${process.pid}`);
    await mkdir(emptyDist, { recursive: true });
    await writeFile(join(emptyDist, 'stray.txt'), 'x');
    const bare = await startServer({ port: 0, logLevel: 'silent', staticRoots: { steps: missing, diagnostics: emptyDist } });
    try {
      for (const path of ['/', '/webcam/', '/diagnostics/', '/diagnostics/stray.txt']) {
        const res = await fetch(`${bare.url}${path}`);
        expect(res.status).toBe(503);
        expect(await res.text()).toContain('npm run build');
      }
      expect((await fetch(`${bare.url}/healthz`)).status).toBe(200);
    } finally {
      await bare.close();
      await rm(emptyDist, { recursive: true, force: true });
    }
  });
});

describe('API', () => {
  it('GET /healthz reports health as uncached JSON', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ ok: true, rooms: 0, clients: 0, uptimeSeconds: expect.any(Number) });
  });

  it('GET /api/ice-servers lists STUN and TURN with working REST credentials', async () => {
    const before = Date.now();
    const res = await fetch(`${server.url}/api/ice-servers`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as {
      iceServers: { urls: string[]; username?: string; credential?: string }[];
      ttlSeconds: number;
      expiresAt: number;
    };
    expect(body.ttlSeconds).toBe(600);
    expect(body.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 600_000);
    expect(body.expiresAt).toBeLessThanOrEqual(Date.now() + 600_000);
    expect(body.iceServers).toHaveLength(2);
    expect(body.iceServers[0]).toEqual({ urls: ['stun:stun.example:3478'] });
    const turn = body.iceServers[1];
    expect(turn?.urls).toEqual(['turn:127.0.0.1:3478']);
    const [expiry, user] = (turn?.username ?? '').split(':');
    expect(Number(expiry) * 1000).toBe(body.expiresAt);
    expect(user).toMatch(/\S/);
    // What coturn does with its copy of the secret:
    expect(turn?.credential).toBe(createHmac('sha1', 'north-pole').update(turn?.username ?? '').digest('base64'));
  });
});
