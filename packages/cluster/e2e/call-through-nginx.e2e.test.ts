/**
 * /call/ in two Chromium contexts through nginx, each member on a different server process: the
 * pages, /api/ice-servers and the signaling WebSocket all pass the proxy, the offer, answer and
 * candidates cross between the processes through Redis, and both remote videos play.
 *
 * A browser cannot choose its source address, and nginx keys stickiness on it; so each context goes
 * through its own small SOCKS proxy that connects from a loopback address of the test's choosing,
 * picked so that nginx sends the two members to different processes.
 */
import {
  launchChromium,
  openPage,
  startSourceAddressProxy,
  waitForVideoPlaying,
  type OpenedPage,
  type SourceAddressProxy,
} from '@workbench/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startCluster, type Cluster } from '../src/cluster.js';
import { loopbackAddresses, processFor, ServerLogs } from '../test/clients.js';

const logs = new ServerLogs();
let cluster: Cluster;
let chromium: Browser;
/** One source-address proxy per server process: proxies[i] reaches process i + 1 through nginx. */
const proxies: SourceAddressProxy[] = [];
const opened: OpenedPage[] = [];

beforeAll(async () => {
  cluster = await startCluster({ processes: 2, serverArgs: ['--no-default-stun', '--log-format', 'json'], onServerLine: logs.collect });
  const chosen = new Map<number, string>();
  for (const address of loopbackAddresses(16, 0, 20)) {
    const process = await processFor(cluster, address);
    if (!chosen.has(process)) chosen.set(process, address);
    if (chosen.size === 2) break;
  }
  expect([...chosen.keys()].sort()).toEqual([1, 2]);
  for (const number of [1, 2]) proxies.push(await startSourceAddressProxy(chosen.get(number)!));
  chromium = await launchChromium();
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') {
    for (const [index, member] of opened.entries()) {
      const text = await member.page.getByRole('log', { name: 'Event log' }).innerText().catch((error: unknown) => `(no log: ${String(error)})`);
      console.log(`--- member ${index + 1}\n${text}\nproblems: ${JSON.stringify(member.problems())}`);
    }
  }
  await Promise.all(opened.splice(0).map((p) => p.close()));
});

afterAll(async () => {
  await chromium?.close();
  await Promise.all(proxies.map((p) => p.close()));
  await cluster?.stop();
});

function status(page: Page): Promise<string> {
  return page.getByRole('status', { name: 'Call status' }).locator('strong').innerText();
}

async function joinCall(room: string, proxy: SourceAddressProxy): Promise<OpenedPage> {
  const member = await openPage(chromium, `${cluster.url}/call/?room=${room}`, { context: { proxy: { server: proxy.url } } });
  opened.push(member);
  await member.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect.poll(() => status(member.page), { timeout: 15_000 }).not.toMatch(/^(joining|not in a call)$/);
  return member;
}

describe('/call/ through nginx, one member on each process', () => {
  it('connects both ways and plays both remote videos', async () => {
    const room = `nginx-call-${process.pid}`;
    const first = await joinCall(room, proxies[0]!);
    const second = await joinCall(room, proxies[1]!);
    await Promise.all(
      [first, second].map(async (member, i) => {
        const video = await waitForVideoPlaying(member.page.getByLabel('Remote video'), { label: `member ${i + 1}'s remote video`, timeoutMs: 30_000 });
        expect(video.videoWidth).toBeGreaterThan(0);
      }),
    );
    await expect.poll(() => status(first.page)).toBe('connected');
    await expect.poll(() => status(second.page)).toBe('connected');

    // Each browser went through nginx only, and each member joined on its own process.
    for (const proxy of proxies) expect(new Set(proxy.tunnels)).toEqual(new Set([`127.0.0.1:${cluster.nginx.port}`]));
    const joins = logs.find(cluster, (r) => r.event === 'join' && r.room === room).map(({ process, record }) => [process, record.role]);
    expect(joins).toEqual([
      [1, 'created'],
      [2, 'joined'],
    ]);
    for (const member of [first, second]) expect(member.problems()).toEqual([]);
  });
});
