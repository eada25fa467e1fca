// The terminal check (packages/ice-cli) and this page are two front ends of one definition: a
// report the command writes with --json is shown by the page's Import report, and the same
// servers get the same verdict kinds from both (Chromium here, libwebrtc in Node there).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parseIceReport, type IceReport } from '@workbench/core/ice-diagnostics';
import { REPO_ROOT, freeTcpUdpPort, launchChromium, openPage, startCoturn, startWorkbench, type CoturnServer, type OpenedPage, type Workbench } from '@workbench/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

type IceWindow = Window & { iceRun?: { phase: string; origin: string; report: IceReport | null } };

const CLI = join(REPO_ROOT, 'packages', 'ice-cli', 'bin', 'webrtc-workbench.js');
const ALICE = { name: 'alice', password: 'correct-horse-battery' };

let coturn: CoturnServer; // long-term user alice, TLS with a self-signed certificate
let workbench: Workbench;
let browser: Browser;
let closedPort: number;
const dir = mkdtempSync(join(tmpdir(), 'ice-cli-e2e-'));

beforeAll(async () => {
  coturn = await startCoturn({ users: [ALICE], tls: true });
  workbench = await startWorkbench();
  browser = await launchChromium({ fakeMedia: false });
  closedPort = await freeTcpUdpPort('127.0.0.1');
});

const opened: OpenedPage[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await browser?.close();
  await workbench?.close();
  await coturn?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function command(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'ice', ...args], { timeout: 80_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

async function openIce(): Promise<OpenedPage> {
  const opening = await openPage(browser, workbench.urlFor('/diagnostics/ice/'));
  opened.push(opening);
  await opening.page.getByRole('heading', { level: 1, name: 'ICE server test' }).waitFor();
  return opening;
}

async function addServer(page: Page, url: string, username = '', credential = ''): Promise<void> {
  await page.getByLabel('URL', { exact: true }).fill(url);
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Credential', { exact: true }).fill(credential);
  await page.getByRole('button', { name: 'Add server' }).click();
}

async function runPage(page: Page, budgetSeconds: number): Promise<IceReport> {
  await page.getByLabel('Time budget (s)').fill(String(budgetSeconds));
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.waitForFunction(() => (window as IceWindow).iceRun?.phase === 'done', null, { timeout: 60_000 });
  return page.evaluate(() => JSON.parse(JSON.stringify((window as IceWindow).iceRun?.report)) as IceReport);
}

/** url → verdict kind, per check. */
function kinds(report: IceReport): Record<string, string | undefined> {
  return Object.fromEntries(report.checks.map((c) => [c.url, c.verdict?.kind]));
}

describe('webrtc-workbench ice and the ICE page', () => {
  it('the page imports a report the command wrote with --json and shows its verdicts', async () => {
    const ran = await command(coturn.stunUrl, `turn:127.0.0.1:${coturn.port}`, `stun:127.0.0.1:${closedPort}`, '--username', ALICE.name, '--credential', ALICE.password, '--budget', '1.5', '--json');
    const written = parseIceReport(ran.stdout);
    expect(written.checks.map((c) => c.verdict?.kind)).toEqual(['reachable', 'relay-allocated', 'relay-allocated', 'unreachable']);
    expect(ran.code).toBe(1);
    const path = join(dir, 'terminal-report.json');
    writeFileSync(path, ran.stdout);

    const { page, problems } = await openIce();
    await page.getByLabel('Import report').setInputFiles(path);
    await expect.poll(() => page.evaluate(() => (window as IceWindow).iceRun?.origin)).toBe('import');
    const imported = await page.evaluate(() => JSON.parse(JSON.stringify((window as IceWindow).iceRun?.report)) as IceReport);
    expect(imported).toEqual(written);
    for (const check of written.checks) {
      await expect.poll(() => page.locator(`[data-check-id="${check.id}"]`).getAttribute('data-verdict')).toBe(check.verdict?.kind);
    }
    await expect.poll(() => page.locator('[data-loopback]').count()).toBe(2);
    expect(await page.getByRole('note').filter({ hasText: 'Viewing an imported report' }).textContent()).toContain(written.createdAt);
    expect(problems()).toEqual([]);
  });

  it('the same servers get the same verdict kinds from the page (Chromium) and the command (libwebrtc)', async () => {
    const turns = coturn.turnsUrl ?? '';
    const servers = [coturn.stunUrl, `turn:127.0.0.1:${coturn.port}`, `stun:127.0.0.1:${closedPort}`, turns];
    const { page } = await openIce();
    for (const url of servers) await addServer(page, url, url.startsWith('turn') ? ALICE.name : '', url.startsWith('turn') ? ALICE.password : '');
    const fromPage = await runPage(page, 2);
    const fromCommand = parseIceReport((await command(...servers, '--username', ALICE.name, '--credential', ALICE.password, '--budget', '2', '--no-loopback', '--json')).stdout);
    expect(kinds(fromCommand)).toEqual(kinds(fromPage));
    // Not a vacuous match: four servers, five checks, four kinds of answer between them.
    expect(Object.values(kinds(fromPage))).toEqual(['reachable', 'relay-allocated', 'relay-allocated', 'unreachable', 'unreachable']);

    // A wrong password: authentication failed on both sides, over both transports.
    const { page: second } = await openIce();
    await addServer(second, `turn:127.0.0.1:${coturn.port}`, ALICE.name, 'wrong-password');
    const wrongPage = await runPage(second, 2);
    const wrongCommand = await command(`turn:127.0.0.1:${coturn.port}`, '--username', ALICE.name, '--credential', 'wrong-password', '--budget', '2', '--json');
    expect(kinds(parseIceReport(wrongCommand.stdout))).toEqual(kinds(wrongPage));
    expect(Object.values(kinds(wrongPage))).toEqual(['auth-failed', 'auth-failed']);
    expect(wrongCommand.code).toBe(2);
  });

  it('Copy as command writes a command line that runs the same test', async () => {
    const { page } = await openIce();
    await addServer(page, coturn.stunUrl);
    await addServer(page, `turn:127.0.0.1:${coturn.port}?transport=udp`, ALICE.name, ALICE.password);
    await page.getByLabel('Time budget (s)').fill('2');
    await page.getByRole('button', { name: 'Copy as command' }).click();
    const status = page.getByRole('status').filter({ hasText: 'npx webrtc-workbench ice' });
    const withoutCredentials = ((await status.textContent()) ?? '').replace(/^.*?(npx webrtc-workbench ice)/, '$1').trim();
    expect(withoutCredentials).toBe(`npx webrtc-workbench ice ${coturn.stunUrl} 'turn:127.0.0.1:${coturn.port}?transport=udp' --username "$TURN_USERNAME" --credential "$TURN_CREDENTIAL" --budget 2`);
    expect(withoutCredentials).not.toContain(ALICE.password);

    await page.getByLabel('Include credentials in the export').check();
    await page.getByRole('button', { name: 'Copy as command' }).click();
    await expect.poll(async () => (await status.textContent()) ?? '').toContain(ALICE.password);
    const line = ((await status.textContent()) ?? '').replace(/^.*?(npx webrtc-workbench ice)/, '$1').trim();
    // Run what the page wrote, through a shell, as a person pasting it would.
    const ran = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile('sh', ['-c', `${line.replace(/^npx webrtc-workbench/, `"${process.execPath}" "${CLI}"`)} --json`], { timeout: 80_000 }, (error, stdout) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout }),
      );
    });
    const report = parseIceReport(ran.stdout);
    expect(kinds(report)).toEqual({ [coturn.stunUrl]: 'reachable', [`turn:127.0.0.1:${coturn.port}?transport=udp`]: 'relay-allocated' });
    if (ran.code === 1) {
      // The servers' verdicts above are what the pasted line is about. On a loaded machine the
      // relay proof's 1 MiB can outlast its time (exit 1, "mixed"); the report must then say why.
      expect(report.loopbacks.filter((loop) => loop.status === 'failed' && (loop.error ?? '') !== '').length).toBeGreaterThan(0);
    } else {
      expect(ran.code).toBe(0);
    }
  });
});
