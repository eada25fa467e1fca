// The command as a script runs it: a child process, real coturn, libwebrtc from @roamhq/wrtc,
// exit codes and output read back. Certificates are made here (openssl, or selfsigned where the
// dates must lie outside today) so each TLS failure is the one the test names.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseIceReport, type IceReport } from '@workbench/core/ice-diagnostics';
import { startCoturn, startWorkbench, turnAllocate, turnRestCredentials, type CoturnServer, type Workbench } from '@workbench/testing';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../bin/webrtc-workbench.js', import.meta.url));
const SECRET = 'ice-cli-secret';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * For runs whose 1 MiB loopback must succeed: the loopback waits max(10 s, budget). Against local
 * coturn on a 2-core machine the kernel drops about 300 UDP datagrams per loopback at receive
 * buffers, and SCTP's retransmission timer doubles on each loss: most transfers take 0.1 s, some
 * 0.5 s, and a few 10-15 s (one in 180 with three runs at once; this file's first test once took
 * 10.7 s alone). These tests are about what the command reports, not its speed; a loopback that
 * times out has its own test (the capped coturn below).
 */
const LOADED_MACHINE = ['--budget', '30'];

/** Everything the command printed, for an assertion's message: a failed exit code says why. */
function printed(ran: Ran): string {
  return `exit ${ran.code} after ${Math.round(ran.ms)} ms\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`;
}

/** Runs the command without blocking this process (the workbench for --from lives in it). */
function ice(...args: string[]): Promise<Ran> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'ice', ...args], { timeout: 80_000, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

function reportOf(ran: Ran): IceReport {
  return parseIceReport(ran.stdout);
}

const dir = mkdtempSync(join(tmpdir(), 'ice-cli-test-'));

/** A self-signed certificate (its own CA) with the given subjectAltName. */
function certificate(name: string, altName: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=${altName}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A self-signed certificate for IP:127.0.0.1 valid only between the given dates, so with --ca
 * pointing at it the dates are its one fault. Made with selfsigned because the system's OpenSSL
 * 3.0 cannot date a certificate in the past (`req -not_before` arrived in 3.4).
 */
async function datedCertificate(name: string, notBeforeDate: Date, notAfterDate: Date): Promise<{ cert: string; key: string }> {
  const pems = await generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  writeFileSync(cert, pems.cert);
  writeFileSync(key, pems.private);
  return { cert, key };
}

/** A certificate date as the verdicts write it: ISO 8601 to the second, in UTC. */
function isoSecond(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

let rest: CoturnServer;
let tlsIp: CoturnServer;
let tlsName: CoturnServer;
let tlsExpired: CoturnServer;
let tlsEarly: CoturnServer;
let tlsOld: CoturnServer;
let ipCert: { cert: string; key: string };
let nameCert: { cert: string; key: string };
let expiredCert: { cert: string; key: string };
let earlyCert: { cert: string; key: string };
// Whole seconds: a certificate's dates have no milliseconds.
const now = Math.floor(Date.now() / 1000) * 1000;
const expiredOn = new Date(now - 2 * DAY_MS);
const validFrom = new Date(now + 3 * DAY_MS);

beforeAll(async () => {
  ipCert = certificate('ip-cert', 'IP:127.0.0.1');
  nameCert = certificate('name-cert', 'DNS:turn.workbench.test');
  expiredCert = await datedCertificate('expired-cert', new Date(now - 90 * DAY_MS), expiredOn);
  earlyCert = await datedCertificate('early-cert', validFrom, new Date(now + 90 * DAY_MS));
  // coturn takes the last cert=/pkey= lines: the harness's throwaway certificate is replaced by ours.
  // It serves a certificate whatever its dates, as a forgotten renewal does.
  [rest, tlsIp, tlsName, tlsExpired, tlsEarly, tlsOld] = await Promise.all([
    startCoturn({ authSecret: SECRET }),
    startCoturn({ authSecret: SECRET, tls: true, extraConfig: [`cert=${ipCert.cert}`, `pkey=${ipCert.key}`] }),
    startCoturn({ authSecret: SECRET, tls: true, extraConfig: [`cert=${nameCert.cert}`, `pkey=${nameCert.key}`] }),
    startCoturn({ authSecret: SECRET, tls: true, extraConfig: [`cert=${expiredCert.cert}`, `pkey=${expiredCert.key}`] }),
    startCoturn({ authSecret: SECRET, tls: true, extraConfig: [`cert=${earlyCert.cert}`, `pkey=${earlyCert.key}`] }),
    // An old deployment: TLS 1.2 switched off, and SECLEVEL=0 so OpenSSL 3 still signs TLS 1.0/1.1
    // handshakes (their MD5+SHA-1 signatures are below its default level); the certificate is
    // ipCert, given as --ca, so the protocol is the one fault. coturn 4.6 has no TLS 1.3 listener.
    startCoturn({ authSecret: SECRET, tls: true, extraConfig: [`cert=${ipCert.cert}`, `pkey=${ipCert.key}`, 'no-tlsv1_2', 'cipher-list=DEFAULT@SECLEVEL=0'] }),
  ]);
});

afterAll(async () => {
  await Promise.all([rest?.stop(), tlsIp?.stop(), tlsName?.stop(), tlsExpired?.stop(), tlsEarly?.stop(), tlsOld?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('webrtc-workbench ice against coturn', () => {
  it('allocates over UDP and TCP with REST credentials minted from --secret, and relays 1 MiB each way it allocated', async () => {
    const ran = await ice(`turn:127.0.0.1:${rest.port}`, '--secret', SECRET, '--json', ...LOADED_MACHINE);
    expect(ran.code, printed(ran)).toBe(0);
    const report = reportOf(ran);
    expect(report.checks.map((c) => [c.transport, c.verdict?.kind])).toEqual([
      ['udp', 'relay-allocated'],
      ['tcp', 'relay-allocated'],
    ]);
    expect(report.loopbacks.map((l) => [l.status, l.bytes, l.localCandidateType])).toEqual([
      ['success', 1024 * 1024, 'relay'],
      ['success', 1024 * 1024, 'relay'],
    ]);
    expect(report.loopbacks.every((l) => (l.throughputMbps ?? 0) > 0 && l.rttMs !== undefined)).toBe(true);
    // Credentials never leave in a report the person did not ask to include them in.
    expect(ran.stdout).not.toContain(':webrtc-workbench"');
    expect(report.servers[0]).toMatchObject({ hasCredentials: true });
  });

  it('says "Authentication failed (401 Unauthorized)" for a wrong secret, explains the code, and exits 2', async () => {
    const ran = await ice(`turn:127.0.0.1:${rest.port}`, '--secret', 'not-the-secret', '--no-loopback');
    expect(ran.code, printed(ran)).toBe(2);
    expect(ran.stdout).toMatch(/FAIL +turn:127\.0\.0\.1:\d+\?transport=udp +UDP .*Authentication failed \(401 Unauthorized\)/);
    expect(ran.stdout).toMatch(/FAIL +turn:127\.0\.0\.1:\d+\?transport=tcp +TCP .*Authentication failed \(401 Unauthorized\)/);
    // The table wraps long lines; the words are what matters.
    expect(ran.stdout.replace(/\s+/g, ' ')).toContain("check that the TURN server's static-auth-secret matches the secret that issued it");
    // The code's meaning, cause and fix, from core's table, under the verdict.
    expect(ran.stdout.replace(/\s+/g, ' ')).toMatch(/The server refused the username and password\. Likely cause: A wrong username or password;.* Fix: Check the credentials\./);
    expect(ran.stdout).toContain('nothing works');
  });

  it('calls a dead port unreachable within the budget, and exits 2', async () => {
    const ran = await ice('turn:127.0.0.1:9?transport=udp', 'stun:127.0.0.1:9', '--secret', SECRET, '--budget', '1.5', '--json');
    expect(ran.code, printed(ran)).toBe(2);
    const report = reportOf(ran);
    for (const check of report.checks) {
      expect(check.verdict?.kind).toBe('unreachable');
      expect(check.verdict?.atMs).toBeLessThanOrEqual(1500);
    }
    expect(report.checks[0]?.verdict?.title).toBe('Unreachable: no answer within 1.5 s');
  });

  it('exits 1 when some checks work and others do not', async () => {
    const ran = await ice(`stun:127.0.0.1:${rest.port}`, 'stun:127.0.0.1:9', '--budget', '1.5');
    expect(ran.stdout).toMatch(/OK +stun:127\.0\.0\.1:\d+ +UDP .*Reachable/);
    expect(ran.stdout).toMatch(/FAIL +stun:127\.0\.0\.1:9 +UDP .*Unreachable/);
    expect(ran.code, printed(ran)).toBe(1);
  });

  it('reads the NAT mapping from one gathering with every UDP server, as the page does', async () => {
    const ran = await ice(`stun:127.0.0.1:${rest.port}`, `turn:127.0.0.1:${tlsIp.port}?transport=udp`, '--secret', SECRET, '--no-loopback', '--json');
    const report = reportOf(ran);
    expect(report.gathering?.status).toBe('success');
    expect(report.gathering?.candidates.some((c) => / typ host /.test(c.candidate))).toBe(true);
    // Both coturns answer on loopback, where there is no NAT: libwebrtc drops a srflx equal to a host address.
    expect(report.natMapping).toMatchObject({ behaviour: 'no-nat', conclusion: 'direct-likely' });
    expect(report.natMapping?.servers.map((s) => [s.server, s.answered])).toEqual([
      [`127.0.0.1:${rest.port}`, true],
      [`127.0.0.1:${tlsIp.port}`, true],
    ]);
    const table = await ice(`stun:127.0.0.1:${rest.port}`, 'stun:127.0.0.1:9', '--budget', '1.5');
    expect(table.stdout).toContain('NAT mapping (one gathering with every UDP server):');
    expect(table.stdout.replace(/\s+/g, ' ')).toContain('127.0.0.1:9: Did not answer, so it tells nothing about the mapping.');
  });

  it('refuses a turns: server with a self-signed certificate, says so, and accepts it with --ca', async () => {
    const url = `turns:127.0.0.1:${tlsIp.tlsPort}`;
    const refused = await ice(url, '--secret', SECRET, '--no-loopback');
    expect(refused.stdout).toMatch(/FAIL +turns:.* TLS +\d+ ms +TLS refused: self-signed certificate/);
    expect(refused.stdout).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(refused.stdout.replace(/\s+/g, ' ')).toContain('issued by "CN=ip-cert"');
    expect(refused.stdout.replace(/\s+/g, ' ')).toContain('--ca <file>');
    expect(refused.code, printed(refused)).toBe(2);

    const accepted = await ice(url, '--secret', SECRET, '--ca', ipCert.cert, '--json', ...LOADED_MACHINE);
    expect(accepted.code, printed(accepted)).toBe(0);
    const report = reportOf(accepted);
    expect(report.checks[0]?.verdict).toMatchObject({ kind: 'relay-allocated', relay: { protocol: 'tls' } });
    expect(report.loopbacks[0]?.status).toBe('success');
  });

  it('explains a certificate made for another host name', async () => {
    const ran = await ice(`turns:127.0.0.1:${tlsName.tlsPort}`, '--secret', SECRET, '--ca', nameCert.cert, '--no-loopback');
    expect(ran.stdout).toMatch(/TLS refused: certificate is not for 127\.0\.0\.1/);
    expect(ran.stdout.replace(/\s+/g, ' ')).toContain('DNS:turn.workbench.test');
    expect(ran.stdout.replace(/\s+/g, ' ')).toContain('subjectAltName includes IP:127.0.0.1');
    expect(ran.code, printed(ran)).toBe(2);
  });

  it('names an expired certificate, the moment it expired and the renewal, and exits 2', async () => {
    const ran = await ice(`turns:127.0.0.1:${tlsExpired.tlsPort}`, '--secret', SECRET, '--ca', expiredCert.cert, '--no-loopback');
    const text = ran.stdout.replace(/\s+/g, ' ');
    expect(ran.stdout).toMatch(/FAIL +turns:.* TLS +\d+ ms +TLS refused: certificate expired on \S+ \(2 days ago\)/);
    expect(text).toContain(`certificate expired on ${isoSecond(expiredOn)} (2 days ago)`);
    expect(text).toContain('CERT_HAS_EXPIRED');
    expect(text).toContain('Fix: Renew the certificate (certbot renew, or your CA)');
    expect(text).toContain("coturn's cert=");
    expect(ran.code, printed(ran)).toBe(2);
  });

  it('names a certificate that is not valid yet and the moment it will be, and exits 2', async () => {
    const ran = await ice(`turns:127.0.0.1:${tlsEarly.tlsPort}`, '--secret', SECRET, '--ca', earlyCert.cert, '--json');
    const verdict = reportOf(ran).checks[0]?.verdict;
    // The page's kind for any TLS failure (a browser says only 701); the words say which one.
    expect(verdict).toMatchObject({ kind: 'unreachable', errorCode: 701, title: `TLS refused: certificate not valid until ${isoSecond(validFrom)} (in 3 days)` });
    expect(verdict?.detail).toContain('CERT_NOT_YET_VALID');
    expect(verdict?.fix).toMatch(/clock/);
    expect(ran.code, printed(ran)).toBe(2);
  });

  it('names the old protocol of a server that speaks only TLS 1.0/1.1, says browsers refuse it and how to fix it, and exits 2', async () => {
    // coturn leaves a TLS 1.2 hello unanswered when no-tlsv1_2 is set, so the verdict comes at the budget.
    const ran = await ice(`turns:127.0.0.1:${tlsOld.tlsPort}`, '--secret', SECRET, '--ca', ipCert.cert, '--no-loopback', '--budget', '2');
    const text = ran.stdout.replace(/\s+/g, ' ');
    expect(ran.stdout).toMatch(/FAIL +turns:.* TLS +\d+ ms +TLS refused: the server speaks only TLSv1\.1/);
    expect(text).toContain('browsers refuse TLS older than 1.2');
    expect(text).toMatch(/Fix: Enable TLS 1\.2 .*no-tlsv1_2.* add no-tlsv1 and no-tlsv1_1/);
    expect(ran.code, printed(ran)).toBe(2);
  });

  it('on a terminal shows a progress line and colour; piped, plain text only', async () => {
    const args = `stun:127.0.0.1:${rest.port} stun:127.0.0.1:9 --budget 1.5`;
    // script(1) (util-linux, essential on Debian) runs the command on a pseudo-terminal.
    const { NO_COLOR: _ignored, ...env } = process.env;
    const onTty = await new Promise<string>((resolve) => {
      execFile('script', ['-qec', `"${process.execPath}" "${CLI}" ice ${args}`, '/dev/null'], { timeout: 80_000, env }, (_e, stdout) => resolve(stdout));
    });
    // The progress line rewrites itself in place (carriage return, erase line).
    expect(onTty).toContain('\r\x1b[2K1 of 2 verdicts · ');
    expect(onTty).toMatch(/1 of 2 verdicts · \d\.\d s of 1\.5 s budget/);
    expect(onTty).toContain('\x1b[32mOK   \x1b[0m');
    expect(onTty).toContain('\x1b[31mFAIL \x1b[0m');
    const piped = await ice(...args.split(' '));
    expect(piped.stdout + piped.stderr).not.toContain('\x1b[');
    expect(piped.stderr).toBe('');
  });

  it('prints Prometheus gauges per server × transport', async () => {
    const ran = await ice(`turn:127.0.0.1:${rest.port}?transport=udp`, '--secret', SECRET, '--format', 'prometheus', ...LOADED_MACHINE);
    expect(ran.code, printed(ran)).toBe(0);
    const line = (name: string) => ran.stdout.split('\n').find((l) => l.startsWith(`${name}{`)) ?? '';
    expect(line('webrtc_workbench_ice_check_up')).toMatch(/transport="udp"\} 1$/);
    expect(line('webrtc_workbench_ice_check_verdict')).toContain('verdict="relay-allocated"');
    expect(Number(line('webrtc_workbench_ice_check_seconds').split(' ').pop())).toBeGreaterThan(0);
    expect(Number(line('webrtc_workbench_ice_relay_throughput_bits_per_second').split(' ').pop())).toBeGreaterThan(1e5);
    expect(ran.stdout).toContain('# TYPE webrtc_workbench_ice_relay_rtt_seconds gauge');
    expect(ran.stdout).toContain('webrtc_workbench_ice_nat_mapping{behaviour="no-nat",needs_turn="0"} 1');
  });
});

describe('webrtc-workbench ice against a coturn out of relay ports', () => {
  let full: CoturnServer;

  beforeAll(async () => {
    // One relay port, held by an allocation that is never released: every Allocate after it gets
    // coturn's 508, which is what a production server answers once min-port..max-port is used up.
    full = await startCoturn({ authSecret: SECRET, relayPortCount: 1 });
    const { username, credential } = turnRestCredentials(SECRET);
    await turnAllocate('127.0.0.1', full.port, { username, password: credential }, { keep: true });
  });

  afterAll(async () => {
    await full?.stop();
  });

  it('says "508 Insufficient Capacity", names the relay port range as the likely cause, and exits 2', async () => {
    const ran = await ice(`turn:127.0.0.1:${full.port}`, '--secret', SECRET, '--no-loopback');
    const text = ran.stdout.replace(/\s+/g, ' ');
    expect(ran.stdout).toMatch(/FAIL +turn:127\.0\.0\.1:\d+\?transport=udp +UDP .*Server error 508 Insufficient Capacity/);
    expect(ran.stdout).toMatch(/FAIL +turn:127\.0\.0\.1:\d+\?transport=tcp +TCP .*Server error 508 Insufficient Capacity/);
    expect(text).toContain('Its relay port range (coturn min-port/max-port) is exhausted');
    expect(text).toContain('Fix: Widen the relay port range');
    // Not "Unreachable": the server answered, at once.
    expect(ran.stdout).not.toContain('Unreachable');
    expect(ran.code, printed(ran)).toBe(2);
  });
});

describe('webrtc-workbench ice against a coturn that caps each session at 64 KB/s', () => {
  let capped: CoturnServer;

  beforeAll(async () => {
    // coturn drops what a session sends above max-bps: 1 MiB cannot cross in the loopback's 10 s.
    capped = await startCoturn({ authSecret: SECRET, extraConfig: ['max-bps=65536'] });
  });

  afterAll(async () => {
    await capped?.stop();
  });

  it('allocates, then says how much of the 1 MiB arrived and names the cap as a likely cause, and exits 2', async () => {
    const ran = await ice(`turn:127.0.0.1:${capped.port}?transport=udp`, '--secret', SECRET);
    const text = ran.stdout.replace(/\s+/g, ' ');
    expect(ran.stdout, printed(ran)).toMatch(/OK +turn:127\.0\.0\.1:\d+\?transport=udp +UDP .*Relay allocated/);
    const arrived = /Sending 1 MiB through the relay: only (\d+) KiB arrived within 10 s/.exec(text);
    expect(arrived, printed(ran)).not.toBeNull();
    // 64 KB/s for 10 s, less what SCTP loses to the drops: some, never all.
    expect(Number(arrived?.[1])).toBeGreaterThan(0);
    expect(Number(arrived?.[1])).toBeLessThan(1024);
    expect(text).toContain('or the server caps each session\'s bandwidth (coturn max-bps)');
    expect(ran.code, printed(ran)).toBe(2);
  });
});

describe('webrtc-workbench ice --from', () => {
  let workbench: Workbench;
  let site: string;

  beforeAll(async () => {
    // Only /api/ice-servers is used: a one-file site stands in for the built apps.
    site = mkdtempSync(join(tmpdir(), 'ice-cli-site-'));
    writeFileSync(join(site, 'index.html'), '<!doctype html><title>site</title>');
    workbench = await startWorkbench({
      staticRoots: { steps: site, diagnostics: site },
      iceServers: { stun: [rest.stunUrl], turn: { urls: [rest.turnUdpUrl, rest.turnTcpUrl], secret: SECRET, ttlSeconds: 600 } },
    });
  });

  afterAll(async () => {
    await workbench?.close();
    rmSync(site, { recursive: true, force: true });
  });

  it('tests what a running workbench hands out, with its fresh credentials', async () => {
    const ran = await ice('--from', workbench.urlFor('/api/ice-servers'), '--json', ...LOADED_MACHINE);
    const report = reportOf(ran);
    expect(report.checks.map((c) => [c.url, c.verdict?.kind])).toEqual([
      [rest.stunUrl, 'reachable'],
      [rest.turnUdpUrl, 'relay-allocated'],
      [rest.turnTcpUrl, 'relay-allocated'],
    ]);
    expect(report.servers.every((s) => s.source === 'server')).toBe(true);
    expect(ran.code, printed(ran)).toBe(0);
  });

  it('gives one line and exit 64 when --from answers nothing usable', async () => {
    const ran = await ice('--from', workbench.urlFor('/no-such-api'));
    expect(ran.code, printed(ran)).toBe(64);
    expect(ran.stderr.trim().split('\n')).toHaveLength(1);
    expect(ran.stderr).toMatch(/--from: .*\/no-such-api answered HTTP 404/);
  });
});

describe('usage errors', () => {
  it.each([
    [['--bogus', 'stun:x'], /Unknown option '--bogus'/],
    [['http://turn.example.org'], /is not a STUN\/TURN URL: write it without "\/\/"/],
    [['turn:turn.example.org'], /is a TURN URL: give --secret/],
    [['--from', 'http://127.0.0.1:9/api/ice-servers'], /--from: .*could not be fetched \(nothing answered/],
    [['--budget', 'soon', 'stun:x'], /--budget must be a number from 0.5 to 60/],
    [['--ca', '/nonexistent.pem', 'stun:x'], /--ca \/nonexistent\.pem: cannot read it \(ENOENT\)/],
    [[], /Give at least one stun:\/turn:\/turns: URL, or --from/],
  ])('%j → one line, exit 64', async (args, message) => {
    const ran = await ice(...args);
    expect(ran.code, printed(ran)).toBe(64);
    expect(ran.stderr).toMatch(message);
    expect(ran.stderr.trim().split('\n')).toHaveLength(1);
    expect(ran.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints --help with examples and exits 0', async () => {
    const ran = await ice('--help');
    expect(ran.code, printed(ran)).toBe(0);
    expect(ran.stdout).toContain('Examples:');
    expect(ran.stdout).toContain('--format table|json|prometheus');
  });
});
