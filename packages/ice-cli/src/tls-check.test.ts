// checkTls against servers that refuse Node's default handshake (TLS 1.2 or newer): the check must
// name the old protocol they speak, and must not invent one for a port that does not speak TLS.
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

import { startCoturn, type CoturnServer } from '@workbench/testing';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkTls } from './tls-check.js';

let pems: { cert: string; private: string };
let coturnTls10: CoturnServer;
const servers: Server[] = [];

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  pems = await generate([{ name: 'commonName', value: 'old-tls' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  // TLS 1.0 alone; SECLEVEL=0 because OpenSSL 3 refuses TLS 1.0's MD5+SHA-1 signatures otherwise.
  coturnTls10 = await startCoturn({ tls: true, extraConfig: ['no-tlsv1_2', 'no-tlsv1_1', 'cipher-list=DEFAULT@SECLEVEL=0'] });
});

afterAll(async () => {
  await Promise.all([coturnTls10?.stop(), ...servers.map((s) => new Promise((resolve) => s.close(resolve)))]);
});

describe('checkTls on a server without TLS 1.2', () => {
  it('names TLSv1.1 for an OpenSSL server limited to TLS 1.0–1.1, which answers Node with a protocol_version alert', async () => {
    const port = await listen(createTlsServer({ cert: pems.cert, key: pems.private, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, (s) => s.end()));
    const result = await checkTls('127.0.0.1', port, { ca: Buffer.from(pems.cert), timeoutMs: 5000 });
    expect(result).toMatchObject({ ok: false, problem: 'old-protocol', protocol: 'TLSv1.1', nodeCode: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', title: 'TLS refused: the server speaks only TLSv1.1' });
    expect(result.certificate?.subject).toBe('CN=old-tls');
    expect(result.detail).toContain('browsers refuse TLS older than 1.2');
    expect(result.fix).toContain('no-tlsv1_1');
  });

  it('names TLSv1 for coturn with only TLS 1.0, which leaves any hello that offers a newer version unanswered', async () => {
    // coturn picks its TLS context by the version in the ClientHello and does not answer one whose
    // version is switched off, instead of negotiating down as OpenSSL does: Node's own hello
    // stalls until the timeout, a TLS 1.0–1.1 hello too, and only a TLS 1.0 one gets an answer.
    const result = await checkTls('127.0.0.1', coturnTls10.tlsPort!, { timeoutMs: 1500 });
    expect(result).toMatchObject({ ok: false, problem: 'old-protocol', protocol: 'TLSv1', nodeCode: 'timeout', title: 'TLS refused: the server speaks only TLSv1' });
    expect(result.detail).toContain('got no answer within 1.5 s, but one offering only TLS 1.0/1.1 completed with TLSv1');
    expect(result.atMs).toBeLessThan(3000);
  });

  it('keeps a plain handshake failure for a port that does not speak TLS at all', async () => {
    // resume(): a socket nobody reads never sees the client's FIN, and close() would wait for it.
    const port = await listen(createNetServer((s) => s.resume().end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    const result = await checkTls('127.0.0.1', port, { timeoutMs: 5000 });
    expect(result).toMatchObject({ ok: false, problem: 'handshake', nodeCode: 'ERR_SSL_WRONG_VERSION_NUMBER' });
    expect(result.protocol).toBeUndefined();
    expect(result.title).toBe('TLS handshake failed (ERR_SSL_WRONG_VERSION_NUMBER)');
  });
});
