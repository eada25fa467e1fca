// Issue 17 part 4, for real: a TURN server whose URL is public but which hands out a private relay
// address (the missing external-ip), and the same server with its relay port range dropped by a
// firewall (allocations work, no data passes). coturn runs in a network namespace of its own, on a
// public-looking address reached over a veth pair; Chromium and the workbench stay on this machine.
// Root only: started with the NAT lab (`npm run nat-lab`).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IceReport } from '@workbench/core/ice-diagnostics';
import { findTurnserver, launchChromium, makeTempDir, openPage, spawnManaged, startWorkbench, type ManagedProcess, type Workbench } from '@workbench/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { destroyNamespace, runCommand, runCommands, waitFor } from '../src/index.js';
import { labPrefix } from '../src/plan.js';

type IceWindow = Window & { iceRun?: { phase: string; report: IceReport | null } };

const NS = `${labPrefix(process.pid)}-ice`;
const HOST_IF = `wbice${process.pid % 1_000_000}h`;
const NS_IF = `wbice${process.pid % 1_000_000}n`;
// Both ends of the veth, in a /30 picked from the pid so two runs do not collide.
const NET = `10.213.${process.pid % 250}`;
const HOST_IP = `${NET}.1`;
const RELAY_IP = `${NET}.2`;
/** The server's "public" address (TEST-NET-2): what its URL names. */
const PUBLIC_IP = '198.51.100.77';
const PORT = 3478;
const RELAY_MIN = 50_000;
const RELAY_MAX = 50_020;
const USER = { name: 'alice', password: 'lab-password' };
const TURN_URL = `turn:${PUBLIC_IP}:${PORT}?transport=udp`;

let coturn: ManagedProcess | undefined;
let dir: { path: string; remove(): void } | undefined;
let workbench: Workbench;
let browser: Browser;

beforeAll(async () => {
  destroyNamespace(NS);
  runCommands([
    ['ip', 'netns', 'add', NS],
    ['ip', 'link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NS_IF],
    ['ip', 'link', 'set', NS_IF, 'netns', NS],
    ['ip', 'addr', 'add', `${HOST_IP}/30`, 'dev', HOST_IF],
    ['ip', 'link', 'set', HOST_IF, 'up'],
    ['ip', '-n', NS, 'link', 'set', 'lo', 'up'],
    ['ip', '-n', NS, 'addr', 'add', `${RELAY_IP}/30`, 'dev', NS_IF],
    ['ip', '-n', NS, 'addr', 'add', `${PUBLIC_IP}/32`, 'dev', NS_IF],
    ['ip', '-n', NS, 'link', 'set', NS_IF, 'up'],
    ['ip', 'route', 'add', `${PUBLIC_IP}/32`, 'via', RELAY_IP],
  ]);
  dir = makeTempDir('wb-ice-lab-');
  const config = [
    `listening-ip=${PUBLIC_IP}`,
    // The misconfiguration: the relay is the private interface address and no external-ip maps it.
    `relay-ip=${RELAY_IP}`,
    `listening-port=${PORT}`,
    `min-port=${RELAY_MIN}`,
    `max-port=${RELAY_MAX}`,
    'realm=ice-lab.test',
    'fingerprint',
    'lt-cred-mech',
    `user=${USER.name}:${USER.password}`,
    'no-tls',
    'no-dtls',
    'no-cli',
    `log-file=${dir.path}/turnserver.log`,
    'simple-log',
    `pidfile=${dir.path}/turnserver.pid`,
    `userdb=${dir.path}/turndb`,
  ];
  const configPath = join(dir.path, 'turnserver.conf');
  writeFileSync(configPath, `${config.join('\n')}\n`);
  coturn = spawnManaged('turnserver', 'ip', ['netns', 'exec', NS, findTurnserver(), '-c', configPath]);
  await waitFor('coturn listening in the namespace', async () => runCommand(['ip', 'netns', 'exec', NS, 'ss', '-lun']).includes(`${PUBLIC_IP}:${PORT}`), {
    attempts: 100,
    timeoutMs: 20_000,
    intervalMs: 200,
  });
  workbench = await startWorkbench();
  browser = await launchChromium({ fakeMedia: false });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await workbench?.close();
  await coturn?.stop();
  try {
    runCommand(['ip', 'route', 'del', `${PUBLIC_IP}/32`]);
  } catch {
    // Gone with the veth already.
  }
  destroyNamespace(NS);
  dir?.remove();
});

async function runIce(page: Page): Promise<IceReport> {
  await page.getByLabel('URL', { exact: true }).fill(TURN_URL);
  await page.getByLabel('Username', { exact: true }).fill(USER.name);
  await page.getByLabel('Credential', { exact: true }).fill(USER.password);
  await page.getByRole('button', { name: 'Add server' }).click();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.waitForFunction(() => (window as IceWindow).iceRun?.phase === 'done', null, { timeout: 60_000 });
  return page.evaluate(() => JSON.parse(JSON.stringify((window as IceWindow).iceRun?.report)) as IceReport);
}

/**
 * Chromium runs on the host, where the NAT lab creates and removes network interfaces (this file's
 * namespace, the other lab file's sites, their veth ends) while it runs: Chromium cancels requests
 * in flight when it sees one come or go, and reports each as a failed resource load. That is the
 * lab's doing, not the page's; every other console error counts.
 */
const LAB_NETWORK_NOISE = [/Failed to load resource: net::ERR_NETWORK_CHANGED/];

describe('TURN misconfigurations, produced for real', () => {
  it('a public URL that hands out a private relay: the missing external-ip finding', async () => {
    const { page, problems, close } = await openPage(browser, workbench.urlFor('/diagnostics/ice/'), { ignoreConsoleErrors: LAB_NETWORK_NOISE });
    try {
      const report = await runIce(page);
      expect(report.checks[0]?.verdict, coturn?.output()).toMatchObject({ kind: 'relay-allocated', relay: { address: RELAY_IP } });
      expect(report.findings.find((f) => f.id === 'private-relay')).toMatchObject({
        title: 'Relay address private while the server is public (missing external-ip)',
        detail: expect.stringMatching(new RegExp(`${RELAY_IP.replace(/\./g, '\\.')}.*its URL names ${PUBLIC_IP.replace(/\./g, '\\.')}.*external-ip=`)),
      });
      // Without a firewall the relay does carry data (so the next test's failure is the firewall's).
      expect(report.loopbacks[0]?.status).toBe('success');
      await page.locator('[data-finding="private-relay"]').waitFor();
      expect(problems()).toEqual([]);
    } finally {
      await close();
    }
  });

  it('the relay port range dropped by a firewall: allocated, but no data passes', async () => {
    runCommand(['ip', 'netns', 'exec', NS, 'iptables', '-A', 'INPUT', '-p', 'udp', '--dport', `${RELAY_MIN}:${RELAY_MAX}`, '-j', 'DROP']);
    const { page, problems, close } = await openPage(browser, workbench.urlFor('/diagnostics/ice/'), { ignoreConsoleErrors: LAB_NETWORK_NOISE });
    try {
      const report = await runIce(page);
      // The allocation itself goes through the listening port, which the firewall leaves open.
      expect(report.checks[0]?.verdict?.kind).toBe('relay-allocated');
      expect(report.loopbacks[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/Connecting through the relay took longer than/) });
      expect(report.findings.map((f) => f.id)).toContain('relay-no-data');
      await page.locator('[data-finding="relay-no-data"]').waitFor();
      expect(await page.locator('[data-bottom-line]').textContent()).toBe(
        'Direct calls only: TURN allocates relays but no data passes through them — calls between different networks will often fail.',
      );
      expect(problems()).toEqual([]);
    } finally {
      await close();
    }
  });
});
