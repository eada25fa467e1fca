// The ICE tester in Chinese (issue 16) against real coturn in real Chromium, as ice.e2e.test.ts does
// in English: the flow run by its Chinese control names, the verdicts, findings and candidates shown
// in Chinese, a refused password explained in Chinese, and no English left on the page afterwards.
import zhShell from '@workbench/i18n/messages/zh-CN.json' with { type: 'json' };
import zh from '@workbench/i18n/messages/ice/zh-CN.json' with { type: 'json' };
import type { IceReport } from '@workbench/core/ice-diagnostics';
import { englishLeft, launchChromium, openPage, startCoturn, startWorkbench, type CoturnServer, type OpenedPage, type Workbench } from '@workbench/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

type IceWindow = Window & { iceRun?: { phase: string; report: IceReport | null } };

const ALICE = { name: 'alice', password: 'correct-horse-battery' };
const CJK = /[\u4e00-\u9fff]/;

let coturn: CoturnServer;
let workbench: Workbench;
let visitor: Browser;
const opened: OpenedPage[] = [];

beforeAll(async () => {
  coturn = await startCoturn({ users: [ALICE] });
  workbench = await startWorkbench({});
  visitor = await launchChromium({ fakeMedia: false });
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await visitor?.close();
  await workbench?.close();
  await coturn?.stop();
});

async function addServer(page: Page, url: string, username = '', credential = ''): Promise<void> {
  await page.getByLabel(zh.ice_servers_url, { exact: true }).fill(url);
  await page.getByLabel(zh.ice_servers_username, { exact: true }).fill(username);
  await page.getByLabel(zh.ice_servers_credential, { exact: true }).fill(credential);
  await page.getByRole('button', { name: zh.ice_servers_add, exact: true }).click();
}

describe('ICE server test in Chinese', () => {
  it('runs by its Chinese names, explains a refused password in Chinese and leaves no English', async () => {
    const opening = await openPage(visitor, workbench.urlFor('/diagnostics/ice/?lang=zh'));
    opened.push(opening);
    const { page, problems } = opening;
    await page.getByRole('heading', { level: 1, name: zhShell.page_ice_title }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');

    await addServer(page, coturn.stunUrl);
    // A TURN user whose password is wrong: coturn answers 401.
    const wrong = `turn:127.0.0.1:${coturn.port}?transport=udp`;
    await addServer(page, wrong, ALICE.name, 'not-the-password');
    await page.getByLabel(zh.ice_budget_label).fill('5');
    await page.getByRole('button', { name: zh.ice_run, exact: true }).click();
    await page.waitForFunction(() => (window as IceWindow).iceRun?.phase === 'done', null, { timeout: 45_000 });

    const stun = page.locator(`[data-check-id="${coturn.stunUrl}"]`);
    await expect.poll(() => stun.getAttribute('data-verdict')).toBe('reachable');
    await expect.poll(() => stun.textContent()).toMatch(/可连通：映射地址 127\.0\.0\.1:\d+/);

    const turn = page.locator(`[data-check-id="${wrong}"]`);
    await expect.poll(() => turn.getAttribute('data-verdict')).toBe('auth-failed');
    const turnText = (await turn.textContent()) ?? '';
    expect(turnText).toContain('身份验证失败（401 Unauthorized）');
    expect(turnText).toContain('服务器拒绝了用户名和密码。');
    expect(turnText).toContain(zh.ice_card_what_to_do);

    // Without camera permission the hosts are mDNS names: the finding says why, in Chinese.
    await expect.poll(() => page.locator('[data-finding="mdns-hosts"]').textContent()).toContain(zh.ice_finding_mdns);
    await expect.poll(() => page.locator('[data-finding="no-turn-works"]').textContent()).toContain(zh.ice_finding_no_turn);
    await expect.poll(() => page.locator('[data-bottom-line]').textContent()).toBe(zh.ice_bottom_no_turn_stun);
    expect(await page.locator('tr[data-candidate-type="srflx"]').count()).toBeGreaterThan(0);
    expect(await page.getByRole('heading', { name: zh.ice_candidates_heading }).count()).toBe(1);
    expect(await page.locator('[data-nat]').textContent()).toMatch(CJK);

    expect(await englishLeft(page, ['main'])).toEqual([]);
    expect(problems()).toEqual([]);
  });
});
