/**
 * The generated nginx configuration: every placeholder filled, the round-robin variant differing by
 * the sticky line alone, and each variant accepted by the real nginx (`nginx -t`). The README shows
 * the template and the coturn configuration beside it; they must be the files, word for word.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';

import { loadOrCreateCertificate, REPO_ROOT } from '@workbench/signaling-server';
import { findNginx, makeTempDir } from '@workbench/testing';
import { afterAll, describe, expect, it } from 'vitest';

import { mainConfig, NGINX_TEMPLATE_PATH, parseAccessLog, siteConfig, STICKY_DIRECTIVE } from './nginx-config.js';

const dir = makeTempDir('nginx-config-test');
afterAll(() => dir.remove());

const BASE = { upstreams: ['127.0.0.1:4001', '127.0.0.1:4002'], listenHosts: ['127.0.0.1'], port: 8080, serverName: 'localhost' };

/** `nginx -t` on `site` wrapped in the main configuration: nginx's own verdict, its output on failure. */
function nginxTest(name: string, site: string): string {
  const sitePath = join(dir.path, `${name}.conf`);
  const configPath = join(dir.path, `${name}-nginx.conf`);
  writeFileSync(sitePath, site);
  writeFileSync(configPath, mainConfig({ dir: dir.path, sitePath, user: process.getuid?.() === 0 ? userInfo().username : undefined }));
  return execFileSync(findNginx(), ['-t', '-p', dir.path, '-e', join(dir.path, 'error.log'), '-c', configPath], { encoding: 'utf8', stdio: 'pipe' });
}

describe('siteConfig', () => {
  it('fills in the template: one server line per process, the listen lines, the name; no placeholder left', () => {
    const text = siteConfig({ ...BASE, listenHosts: ['127.0.0.1', '::1'] });
    const body = text.slice(text.search(/^upstream /m));
    expect(body).not.toMatch(/@[A-Z_]+@/);
    expect(body).toContain('    server 127.0.0.1:4001;\n    server 127.0.0.1:4002;\n');
    expect(body).toContain('    listen 127.0.0.1:8080;\n    listen [::1]:8080;\n');
    expect(body).toContain('server_name localhost;');
    expect(body).not.toContain('ssl');
    expect(body.split(STICKY_DIRECTIVE)).toHaveLength(2);
    // The template's own header comment still explains the placeholders.
    expect(text.slice(0, text.search(/^upstream /m))).toContain('@SERVERS@');
  });

  it('without stickiness differs from the sticky configuration by exactly that one line', () => {
    const sticky = siteConfig(BASE).split('\n');
    const roundRobin = siteConfig({ ...BASE, sticky: false }).split('\n');
    expect(roundRobin).toHaveLength(sticky.length - 1);
    expect(sticky.filter((line) => !roundRobin.includes(line))).toEqual([`    ${STICKY_DIRECTIVE}`]);
  });

  it('keeps nginx from cutting connections socket.io still counts as alive (pingInterval 25 s + pingTimeout 20 s)', () => {
    // Socket.IO's defaults, which the server keeps; the integration test reads them from a real handshake.
    const text = siteConfig(BASE);
    for (const directive of ['proxy_read_timeout', 'proxy_send_timeout']) {
      const seconds = Number(new RegExp(`${directive} (\\d+)s;`).exec(text)?.[1]);
      expect(seconds, directive).toBeGreaterThan(45);
    }
  });

  it('moves a request from a dead process to the next one well within the 5 s a client may take to reconnect', () => {
    // test/failover.test.ts kills a process, which refuses connections at once; a dead machine
    // answers nothing, and then only the connect timeout says when to try the next process.
    const text = siteConfig(BASE);
    expect(text).toMatch(/^\s+proxy_next_upstream error timeout;$/m);
    const connect = Number(/proxy_connect_timeout (\d+)s;/.exec(text)?.[1]);
    expect(connect).toBeGreaterThan(0);
    expect(connect).toBeLessThanOrEqual(2);
  });

  it('refuses a template that lacks a placeholder it should fill, or has one nothing fills', () => {
    const template = readFileSync(NGINX_TEMPLATE_PATH, 'utf8');
    expect(() => siteConfig(BASE, template.replace('@SERVER_NAME@;', 'example.com;'))).toThrow(/no @SERVER_NAME@/);
    expect(() => siteConfig(BASE, template.replace('\n@TLS@\n', '\n@TLS@\n@CIPHERS@\n'))).toThrow(/nothing fills in @CIPHERS@/);
  });

  it('is accepted by the real nginx: sticky, round robin, and with TLS', async () => {
    expect(nginxTest('sticky', siteConfig(BASE))).toBe('');
    expect(nginxTest('round-robin', siteConfig({ ...BASE, sticky: false }))).toBe('');
    const pair = await loadOrCreateCertificate(join(dir.path, 'certs'));
    const tls = { certPath: join(dir.path, 'cert.pem'), keyPath: join(dir.path, 'key.pem') };
    writeFileSync(tls.certPath, pair.cert);
    writeFileSync(tls.keyPath, pair.key, { mode: 0o600 });
    const withTls = siteConfig({ ...BASE, tls });
    expect(withTls).toContain('    listen 127.0.0.1:8080 ssl;');
    expect(withTls).toContain(`    ssl_certificate_key ${tls.keyPath};`);
    expect(nginxTest('tls', withTls)).toBe('');
  });
});

describe('parseAccessLog', () => {
  it('reads client, status, request and the process or processes nginx used', () => {
    const log = [
      '127.0.1.7 101 GET /socket.io/?EIO=4&transport=websocket 127.0.0.1:4001',
      '127.0.1.8 502 POST /socket.io/?EIO=4&transport=polling&sid=x 127.0.0.1:4001, 127.0.0.1:4002',
      '127.0.0.1 400 GET /bad -',
      '',
    ].join('\n');
    expect(parseAccessLog(log)).toEqual([
      { client: '127.0.1.7', status: 101, method: 'GET', uri: '/socket.io/?EIO=4&transport=websocket', upstreams: ['127.0.0.1:4001'] },
      { client: '127.0.1.8', status: 502, method: 'POST', uri: '/socket.io/?EIO=4&transport=polling&sid=x', upstreams: ['127.0.0.1:4001', '127.0.0.1:4002'] },
      { client: '127.0.0.1', status: 400, method: 'GET', uri: '/bad', upstreams: [] },
    ]);
  });
});

describe('the README', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  it('shows the nginx template and the coturn configuration beside it as they are', () => {
    for (const file of ['nginx-workbench.conf', 'turnserver.conf']) {
      const text = readFileSync(new URL(`../deploy/${file}`, import.meta.url), 'utf8');
      expect(readme, file).toContain(`\n${text}\`\`\``);
    }
  });
});
