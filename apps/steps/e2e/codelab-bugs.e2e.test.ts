// The original codelab's server-side bugs, each as a regression test seen from the pages: its
// server broadcast signaling and 'ready' to every room (socket.broadcast.emit), sent 'ready' twice,
// let one room's 'bye' reload everyone's page, could not refill a room after a peer left (its issue
// #108), built a STUN configuration and never passed it to the RTCPeerConnection, and served its
// own directory (index.js, package.json …) to anyone who asked.
//
// Pages run in real Chromium; the "other rooms" are plain signaling clients (core's SignalingClient
// in Node) that record every event the server sends them, so a stray delivery cannot hide.
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';

import { silentLogger } from '@workbench/core/logger';
import { SignalingClient } from '@workbench/core/signaling-client';
import { launchChromium, openPage, startCoturn, startWorkbench, waitForVideoPlaying, type CoturnServer, type OpenedPage, type Workbench } from '@workbench/testing';
import type { Browser, JSHandle, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

let workbench: Workbench;
let chromium: Browser;
let roomCounter = 0;
const listeners: RoomListener[] = [];

beforeAll(async () => {
  workbench = await startWorkbench();
  chromium = await launchChromium();
});
afterEach(() => {
  for (const listener of listeners.splice(0)) listener.client.close();
});
afterAll(async () => {
  await chromium?.close();
  await workbench?.close();
});

function uniqueRoom(label: string): string {
  roomCounter += 1;
  return `bug-${label}-${process.pid}-${roomCounter}`;
}

interface RoomListener {
  client: SignalingClient;
  clientId: string;
  /** Every event the server sent this client after it connected, in order, except its 'log' lines. */
  events: { name: string; args: unknown[] }[];
  names(): string[];
}

/** A bare signaling client in `room` that records everything the server sends it. */
async function listenInRoom(room: string, target: Workbench = workbench): Promise<RoomListener> {
  const client = SignalingClient.connect(target.url, { logger: silentLogger, socket: { transports: ['websocket'] } });
  const events: RoomListener['events'] = [];
  client.socket.onAny((name: string, ...args: unknown[]) => {
    if (name !== 'log') events.push({ name, args });
  });
  const joined = await client.join(room);
  const listener = { client, clientId: joined.clientId, events, names: () => events.map((event) => event.name) };
  listeners.push(listener);
  return listener;
}

async function open(path: string, pages: OpenedPage[], target: Workbench = workbench): Promise<OpenedPage> {
  const opened = await openPage(chromium, target.urlFor(path));
  pages.push(opened);
  return opened;
}

function logText(page: Page): Promise<string> {
  return page.getByRole('log', { name: 'Event log' }).innerText();
}

function callStatus(page: Page): Promise<string> {
  return page.getByRole('status', { name: 'Call status' }).locator('strong').innerText();
}

function serverEvents(page: Page): Promise<string[]> {
  return page.getByRole('list', { name: 'Server events' }).locator('li code').allTextContents();
}

/** Polls `read` until `done` says yes; usable in beforeAll, where expect.poll is not. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}

async function joinCall(room: string, pages: OpenedPage[], target: Workbench = workbench): Promise<OpenedPage> {
  const member = await open(`/call/?room=${room}`, pages, target);
  await member.page.getByRole('button', { name: 'Join', exact: true }).click();
  await until(() => callStatus(member.page), (status) => !/^(joining|not in a call)$/.test(status), `joining ${room}`);
  return member;
}

async function joinSignaling(room: string, pages: OpenedPage[]): Promise<OpenedPage> {
  const member = await open(`/signaling/?room=${room}`, pages);
  await member.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect.poll(() => member.page.getByTestId('client-id').innerText()).not.toBe('—');
  return member;
}

function remoteVideoPlays(member: OpenedPage, label: string): Promise<unknown> {
  return waitForVideoPlaying(member.page.getByLabel('Remote video'), { label, timeoutMs: 25_000 });
}

/** Long enough for any stray event the server might still send to arrive over loopback. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

describe('a call in one room, signaling clients in others', () => {
  const pages: OpenedPage[] = [];
  let room: string;
  let caller: OpenedPage;
  let callee: OpenedPage;
  let elsewhere: RoomListener;
  let navigations = 0;
  let callerPc: JSHandle<RTCPeerConnection | undefined>;

  beforeAll(async () => {
    room = uniqueRoom('call');
    // Already waiting in another room when the call starts, as the codelab's second room would be.
    elsewhere = await listenInRoom(uniqueRoom('elsewhere'));
    listeners.splice(listeners.indexOf(elsewhere), 1); // lives for the whole describe
    caller = await joinCall(room, pages);
    callee = await joinCall(room, pages);
    await Promise.all([remoteVideoPlays(caller, 'caller'), remoteVideoPlays(callee, 'callee')]);
    for (const member of [caller, callee]) member.page.on('framenavigated', () => (navigations += 1));
    callerPc = (await caller.page.evaluateHandle(() => (window as unknown as { pc?: RTCPeerConnection }).pc)) as JSHandle<RTCPeerConnection | undefined>;
  });
  afterAll(async () => {
    elsewhere?.client.close();
    await Promise.all(pages.map((p) => p.close()));
  });

  it("relays the call's offer, answer and candidates within its room only (the codelab broadcast them to every room)", async () => {
    await settle();
    // The listener heard its own 'created' and nothing of the call next door.
    expect(elsewhere.names()).toEqual(['created']);
    for (const member of [caller, callee]) expect(await logText(member.page)).not.toContain(elsewhere.clientId);
  });

  it("sends 'ready' once per filled room, to its members only (the codelab sent it twice, and to every room)", async () => {
    for (const member of [caller, callee]) expect((await logText(member.page)).match(/ready: room/g)).toHaveLength(1);
    // Filling another room sends its members one 'ready' each, and the call hears none of it.
    const otherRoom = uniqueRoom('filled');
    const first = await listenInRoom(otherRoom);
    const second = await listenInRoom(otherRoom);
    await expect.poll(() => first.names()).toEqual(['created', 'join', 'ready']);
    await expect.poll(() => second.names()).toEqual(['joined', 'ready']);
    // Then nothing more: no second 'ready', no stray event for the call.
    await settle();
    expect(first.names()).toEqual(['created', 'join', 'ready']);
    expect(second.names()).toEqual(['joined', 'ready']);
    expect(elsewhere.names()).toEqual(['created']);
    for (const member of [caller, callee]) expect((await logText(member.page)).match(/ready: room/g)).toHaveLength(1);
  });

  it("keeps a 'bye' in its own room: the call next door is not torn down or reloaded (the codelab's was)", async () => {
    const otherRoom = uniqueRoom('bye');
    const staying = await listenInRoom(otherRoom);
    const leaving = await listenInRoom(otherRoom);
    await leaving.client.leave();
    const dropping = await listenInRoom(otherRoom);
    dropping.client.close(); // a disconnect sends 'bye' too
    await expect.poll(() => staying.names().filter((name) => name === 'bye')).toHaveLength(2);
    await settle();

    expect(navigations).toBe(0);
    for (const member of [caller, callee]) {
      expect(await callStatus(member.page)).toBe('connected');
      expect(await logText(member.page)).not.toMatch(/bye:/);
    }
    // Still the same connection, still connected, and the video still advances.
    expect(await caller.page.evaluate((pc) => pc === (window as unknown as { pc?: RTCPeerConnection }).pc && pc?.connectionState, callerPc)).toBe('connected');
    await Promise.all([remoteVideoPlays(caller, 'caller'), remoteVideoPlays(callee, 'callee')]);
    expect(elsewhere.names()).toEqual(['created']);
    for (const member of [caller, callee]) expect(member.problems()).toEqual([]);
  });
});

describe('a room after its peer leaves', () => {
  const pages: OpenedPage[] = [];
  afterEach(async () => {
    await Promise.all(pages.splice(0).map((p) => p.close()));
  });

  it("can be joined again: by the one who left, and by someone new after a disconnect (the codelab's issue #108)", async () => {
    const room = uniqueRoom('rejoin');
    const staying = await joinSignaling(room, pages);
    const leaving = await joinSignaling(room, pages);
    await leaving.page.getByRole('button', { name: 'Leave', exact: true }).click();
    await expect.poll(() => serverEvents(staying.page)).toEqual(['created', 'join', 'ready', 'bye']);

    // The same page joins again: one more 'join' and one more 'ready', and messages flow.
    await leaving.page.getByRole('button', { name: 'Join', exact: true }).click();
    await expect.poll(() => serverEvents(staying.page)).toEqual(['created', 'join', 'ready', 'bye', 'join', 'ready']);
    await leaving.page.getByLabel('Message').fill('back again');
    await leaving.page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => staying.page.getByRole('list', { name: 'Chat history' }).innerText()).toContain('back again');

    // Closing the tab (a disconnect, no Leave click) frees the seat too.
    await leaving.close();
    await expect.poll(() => serverEvents(staying.page)).toEqual(['created', 'join', 'ready', 'bye', 'join', 'ready', 'bye']);
    const newcomer = await joinSignaling(room, pages);
    await expect.poll(() => serverEvents(newcomer.page)).toEqual(['joined', 'ready']);
    await newcomer.page.getByLabel('Message').fill('new here');
    await newcomer.page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => staying.page.getByRole('list', { name: 'Chat history' }).innerText()).toContain('new here');
    for (const member of [staying, newcomer]) expect(member.problems()).toEqual([]);
  });
});

describe('a peer whose camera is slow to start', () => {
  const pages: OpenedPage[] = [];
  afterAll(async () => {
    await Promise.all(pages.map((p) => p.close()));
  });

  /** A camera that takes 1.5 s to start, as real ones sometimes do. */
  function slowCamera(): void {
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = (constraints) => new Promise((resolve) => setTimeout(resolve, 1500)).then(() => getUserMedia(constraints));
  }

  it("keeps the offer and candidates that arrive before its connection exists (the codelab dropped them)", async () => {
    const room = uniqueRoom('slow-camera');
    const waiting = await joinCall(room, pages);
    const slow = await openPage(chromium, workbench.urlFor(`/call/?room=${room}`), {
      beforeNavigate: async (context) => {
        await context.addInitScript(slowCamera);
      },
    });
    pages.push(slow);
    await slow.page.getByRole('button', { name: 'Join', exact: true }).click();
    await Promise.all([remoteVideoPlays(waiting, 'waiting side'), remoteVideoPlays(slow, 'slow side')]);

    // The other side's offer and candidates were there before this side had a camera or a call.
    const log = await logText(slow.page);
    const cameraOn = log.indexOf('Camera on');
    expect(log.indexOf('received offer')).toBeGreaterThan(-1);
    expect(log.indexOf('received offer')).toBeLessThan(cameraOn);
    expect(log.indexOf('remote candidate')).toBeLessThan(cameraOn);
    for (const member of [waiting, slow]) expect(member.problems()).toEqual([]);
  });
});

describe('ICE servers from /api/ice-servers', () => {
  const secret = 'codelab-bugs-turn-secret';
  let coturn: CoturnServer;
  let configured: Workbench;
  const pages: OpenedPage[] = [];
  beforeAll(async () => {
    // On this machine's own address, not loopback: Chromium gathers no srflx or relay candidates
    // through a STUN/TURN server on 127.0.0.1 unless the policy is relay-only.
    coturn = await startCoturn({ authSecret: secret, listenIp: machineAddress() });
    configured = await startWorkbench({
      iceServers: { stun: [coturn.stunUrl], turn: { urls: [coturn.turnUdpUrl, coturn.turnTcpUrl], secret, ttlSeconds: 600 } },
    });
  });
  afterAll(async () => {
    await Promise.all(pages.map((p) => p.close()));
    await configured?.close();
    await coturn?.stop();
  });

  /** Joins a call and returns the ICE server list the page itself fetched (TURN credentials differ per request). */
  async function joinCapturingIceServers(room: string): Promise<{ member: OpenedPage; fetched: RTCIceServer[] }> {
    // The page fetches the list as it opens (so Join need not wait): listen before it navigates.
    let answered: (servers: RTCIceServer[]) => void = () => {};
    const fetched = new Promise<RTCIceServer[]>((resolve) => (answered = resolve));
    const member = await openPage(chromium, configured.urlFor(`/call/?room=${room}`), {
      beforeNavigate: (context) => {
        context.on('response', (response) => {
          if (new URL(response.url()).pathname !== '/api/ice-servers') return;
          void response.json().then((body: { iceServers: RTCIceServer[] }) => answered(body.iceServers));
        });
      },
    });
    pages.push(member);
    await member.page.getByRole('button', { name: 'Join', exact: true }).click();
    await until(() => callStatus(member.page), (status) => !/^(joining|not in a call)$/.test(status), `joining ${room}`);
    return { member, fetched: await fetched };
  }

  /** getConfiguration() may write absent credentials as ''; compare what carries meaning. */
  function comparable(servers: readonly RTCIceServer[]): { urls: string[]; username?: string; credential?: string }[] {
    return servers.map((server) => ({
      urls: typeof server.urls === 'string' ? [server.urls] : [...server.urls],
      ...(server.username ? { username: server.username } : {}),
      ...(typeof server.credential === 'string' && server.credential ? { credential: server.credential } : {}),
    }));
  }

  it('are what the RTCPeerConnection is built with, and the TURN server is really used (the codelab built a config and dropped it)', async () => {
    const room = uniqueRoom('ice');
    const first = await joinCapturingIceServers(room);
    const second = await joinCapturingIceServers(room);
    expect(first.fetched.flatMap((server) => server.urls)).toEqual([coturn.stunUrl, coturn.turnUdpUrl, coturn.turnTcpUrl]);

    for (const { member, fetched } of [first, second]) {
      const configuredServers = await member.page.evaluate(() => (window as unknown as { pc: RTCPeerConnection }).pc.getConfiguration().iceServers ?? []);
      expect(comparable(configuredServers)).toEqual(comparable(fetched));
    }
    await Promise.all([remoteVideoPlays(first.member, 'first'), remoteVideoPlays(second.member, 'second')]);
    // coturn accepted the credentials: the page gathered a relay candidate through it.
    const relayed = new RegExp(`local candidate: relay udp ${coturn.listenIp.replaceAll('.', '\\.')}:`);
    await expect.poll(() => logText(first.member.page), { timeout: 10_000 }).toMatch(relayed);
    for (const { member } of [first, second]) expect(member.problems()).toEqual([]);
  });
});

/** The first non-loopback IPv4 address, or loopback on a machine without one. */
function machineAddress(): string {
  const addresses = Object.values(networkInterfaces()).flat();
  return addresses.find((address) => address && address.family === 'IPv4' && !address.internal)?.address ?? '127.0.0.1';
}

describe('what the server serves', () => {
  /** GET with the path sent byte for byte (fetch and URL would normalise the `..` away). */
  function rawGet(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: workbench.host, port: workbench.port, path, method: 'GET' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it.each([
    '/index.js',
    '/package.json',
    '/server.js',
    '/src/pages/call/main.ts',
    '/src/index.ts',
    '/vite.config.ts',
    '/../packages/signaling-server/src/index.ts',
    '/%2e%2e/packages/signaling-server/src/index.ts',
    '/..%2fpackages%2fsignaling-server%2fpackage.json',
    '/diagnostics/../../package.json',
    '/assets/../../package.json',
    '/node_modules/socket.io/package.json',
    '/.git/config',
    '/.env',
  ])('refuses %s (the codelab served its own directory)', async (path) => {
    const { status, body } = await rawGet(path);
    expect([400, 404]).toContain(status);
    expect(body).not.toMatch(/"dependencies"|\bimport\b.*\bfrom\b|createApplication|\[core\]/);
  });

  it('still serves what pages need: the steps, diagnostics and the socket.io client', async () => {
    expect((await rawGet('/call/')).status).toBe(200);
    expect((await rawGet('/diagnostics/')).status).toBe(200);
    const client = await rawGet('/socket.io/socket.io.js');
    expect(client.status).toBe(200);
    expect(client.body).toContain('io');
  });
});
