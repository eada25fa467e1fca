// Step 4, /signaling/, driven as learners use it: several browser contexts (independent users) in
// rooms on the real server, clicking Join / Send / Leave by their accessible names and reading the
// room events, messages and explanations the page shows.
import { launchChromium, openPage, startWorkbench, type OpenedPage, type Workbench } from '@workbench/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { joinAfterSignalingCodeFailed } from './signalingCodeRefused.js';

let workbench: Workbench;
let browser: Browser;
const opened: OpenedPage[] = [];
let roomCounter = 0;

beforeAll(async () => {
  workbench = await startWorkbench();
  browser = await launchChromium();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await browser?.close();
  await workbench?.close();
});

/** A room name no other test uses, so tests cannot hear each other. */
function uniqueRoom(label: string): string {
  roomCounter += 1;
  return `sig-${label}-${process.pid}-${roomCounter}`;
}

async function open(path: string): Promise<OpenedPage> {
  const page = await openPage(browser, workbench.urlFor(path));
  opened.push(page);
  return page;
}

async function joinRoom(room: string): Promise<OpenedPage> {
  const member = await open(`/signaling/?room=${room}`);
  await member.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect.poll(() => clientId(member.page)).not.toBe('—');
  return member;
}

/** The codelab event names in the page's "Server events" list, in arrival order. */
function roomEvents(page: Page): Promise<string[]> {
  return page.getByRole('list', { name: 'Server events' }).locator('li code').allTextContents();
}

function clientId(page: Page): Promise<string> {
  return page.getByTestId('client-id').innerText();
}

function messages(page: Page): Promise<string[]> {
  return page.getByRole('list', { name: 'Chat history' }).getByRole('listitem').allInnerTexts();
}

/** The sequence diagram's arrows, in order, as "from>to label". */
function arrows(page: Page): Promise<string[]> {
  return page.locator('svg g.arrow').evaluateAll((nodes) => nodes.map((n) => `${n.getAttribute('data-from')}>${n.getAttribute('data-to')} ${n.getAttribute('data-label')}`));
}

function logText(page: Page): Promise<string> {
  return page.getByRole('log', { name: 'Event log' }).innerText();
}

describe('/signaling/', () => {
  it('two members of a room see created/joined/join/ready in order and exchange text; another room hears nothing; a third member gets full', async () => {
    const room = uniqueRoom('pair');
    const outsider = await joinRoom(uniqueRoom('other'));
    const first = await joinRoom(room);
    const send = first.page.getByRole('button', { name: 'Send', exact: true });
    await expect.poll(() => send.isDisabled()).toBe(true); // nobody to send to yet
    expect(await first.page.getByTestId('role').innerText()).toBe('created');

    const second = await joinRoom(room);
    expect(await second.page.getByTestId('role').innerText()).toBe('joined');
    const firstId = await clientId(first.page);
    const secondId = await clientId(second.page);
    expect(firstId).not.toBe(secondId);
    // A text-only page: politeness belongs to the call (step 5), not shown here.
    expect(await first.page.getByTestId('polite').count()).toBe(0);

    await expect.poll(() => roomEvents(first.page)).toEqual(['created', 'join', 'ready']);
    await expect.poll(() => roomEvents(second.page)).toEqual(['joined', 'ready']);
    // The same exchange as arrows on the sequence diagram, in the order it happened.
    await expect.poll(() => arrows(first.page)).toEqual(['page>server create or join', 'server>page created', 'server>page join', 'server>page ready']);
    await expect.poll(() => arrows(second.page)).toEqual(['page>server create or join', 'server>page joined', 'server>page ready']);
    expect(await logText(first.page)).not.toMatch(/ready: room .* is full/);
    expect(await first.page.getByTestId('peers').innerText()).toBe(secondId);

    await first.page.getByLabel('Message').fill('hello from the first tab');
    await send.click();
    await expect.poll(() => messages(second.page)).toEqual([expect.stringContaining(`from ${firstId}: hello from the first tab`)]);
    await second.page.getByLabel('Message').fill('and back');
    await second.page.getByLabel('Message').press('Enter');
    await expect.poll(() => messages(first.page)).toEqual([
      expect.stringContaining('you: hello from the first tab'),
      expect.stringContaining(`from ${secondId}: and back`),
    ]);
    // Text goes to the other page through the server: an arrow across all three lifelines.
    expect((await arrows(first.page)).slice(4)).toEqual(['page>peer text', 'peer>page text']);
    expect((await arrows(second.page)).slice(3)).toEqual(['peer>page text', 'page>peer text']);

    // The room holds two: a third member is turned away, with what to do about it.
    const third = await open(`/signaling/?room=${room}`);
    await third.page.getByRole('button', { name: 'Join', exact: true }).click();
    const alert = third.page.getByRole('alert');
    await expect.poll(() => alert.innerText()).toContain('Room is full');
    expect(await alert.innerText()).toContain('Use another room name');
    // The 'full' event and the refused join's ack are two messages: the list may render after the alert.
    await expect.poll(() => roomEvents(third.page)).toEqual(['full']);
    await expect.poll(() => third.page.getByRole('button', { name: 'Join', exact: true }).isEnabled()).toBe(true);

    // Nothing of that room reached the member of another room, and the full room was not disturbed.
    expect(await roomEvents(outsider.page)).toEqual(['created']);
    expect(await messages(outsider.page)).toEqual(['No messages yet.']);
    expect(await logText(outsider.page)).not.toMatch(/message from|join:|ready:/);
    expect(await roomEvents(first.page)).toEqual(['created', 'join', 'ready']);

    for (const member of [outsider, first, second, third]) expect(member.problems()).toEqual([]);
    expect([...first.dialogs, ...second.dialogs]).toEqual([]); // no prompt() for the room name
  });

  it('Leave says bye: the other member sees it explained, Send locks, and a new member can take the seat', async () => {
    const room = uniqueRoom('leave');
    const staying = await joinRoom(room);
    const leaving = await joinRoom(room);
    const leavingId = await clientId(leaving.page);
    await leaving.page.getByRole('button', { name: 'Leave', exact: true }).click();

    await expect.poll(() => roomEvents(staying.page)).toEqual(['created', 'join', 'ready', 'bye']);
    // Said as a status (issue 13): a peer leaving is part of the flow, not an error.
    await expect.poll(() => staying.page.getByTestId('peer-note').innerText().catch(() => '')).toContain(`The other person (${leavingId}) left room ${room}`);
    expect(await staying.page.getByRole('alert').count()).toBe(0);
    expect(await staying.page.getByRole('list', { name: 'Server events' }).innerText()).toContain(`${leavingId} left room ${room}`);
    expect(await staying.page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);
    // The leaver can join again (Join is enabled again, and the room has a free seat).
    expect(await leaving.page.getByRole('button', { name: 'Join', exact: true }).isEnabled()).toBe(true);

    const newcomer = await joinRoom(room);
    await expect.poll(() => roomEvents(staying.page)).toEqual(['created', 'join', 'ready', 'bye', 'join', 'ready']);
    await expect.poll(() => staying.page.getByRole('alert').count()).toBe(0); // the peer-left note goes
    await newcomer.page.getByLabel('Message').fill('took the free seat');
    await newcomer.page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => messages(staying.page)).toEqual([expect.stringContaining('took the free seat')]);
    for (const member of [staying, leaving, newcomer]) expect(member.problems()).toEqual([]);
  });

  it('without ?room= picks a random room and writes it into the address bar, with a copyable link', async () => {
    const { page, dialogs, problems } = await open('/signaling/');
    await expect.poll(() => new URL(page.url()).searchParams.get('room')).toMatch(/^room-[a-z0-9]{6}$/);
    const room = new URL(page.url()).searchParams.get('room');
    expect(await page.getByLabel('Room').inputValue()).toBe(room);
    expect(await page.getByRole('link', { name: page.url() }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Copy link' }).isEnabled()).toBe(true);
    // A reload keeps the room (it is in the URL now).
    await page.reload();
    expect(await page.getByLabel('Room').inputValue()).toBe(room);
    expect(dialogs).toEqual([]);
    expect(problems()).toEqual([]);
  });

  it('explains an invalid room name with the rule, on arrival and on Join', async () => {
    const { page, problems } = await open('/signaling/?room=my%20room!');
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.innerText()).toContain('Invalid room name');
    expect(await alert.innerText()).toContain('letters, digits, "-" or "_"');
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('1–64 characters');
    expect(await page.getByTestId('client-id').innerText()).toBe('—');
    expect(problems()).toEqual([]);
  });

  it('explains an unreachable signaling server (is npm start running?)', async () => {
    const doomed = await startWorkbench();
    const opened = await openPage(browser, doomed.urlFor('/signaling/?room=unreachable'));
    try {
      // The server stops after the page has its signaling client, as when `npm start` is stopped
      // while the page is open; before that, the page cannot load the client at all (next test).
      await expect.poll(() => opened.page.evaluate(() => (window as unknown as { socket?: unknown }).socket !== undefined)).toBe(true);
      await doomed.close();
      await opened.page.getByRole('button', { name: 'Join', exact: true }).click();
      const alert = opened.page.getByRole('alert');
      await expect.poll(() => alert.innerText(), { timeout: 15_000 }).toContain('Signaling server unreachable');
      expect(await alert.innerText()).toContain('npm start');
      await expect.poll(() => logText(opened.page), { timeout: 15_000 }).toContain('connect_error');
      expect(await opened.page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);
    } finally {
      await opened.close();
    }
  });
});

describe('/signaling/ when its signaling client could not load as the page opened', () => {
  it('says the server is unreachable, then loads the client again on Join: no reload needed', async () => {
    const { member, alert } = await joinAfterSignalingCodeFailed(browser, workbench.urlFor(`/signaling/?room=${uniqueRoom('refetch')}`), opened, [
      /\[error\] page: Could not load the signaling client: /,
    ]);
    await expect.poll(() => clientId(member.page), { timeout: 15_000 }).not.toBe('—');
    await expect.poll(() => roomEvents(member.page)).toEqual(['created']);
    expect(await alert.count()).toBe(0);
    expect(member.problems()).toEqual([]); // the failed load was handled, nothing else went wrong
  });
});

describe('/signaling/ across a server restart', () => {
  it('explains the lost server, then both members rejoin by themselves and can chat again', async () => {
    const first = await startWorkbench();
    const port = first.port;
    const members: OpenedPage[] = [];
    let restarted: Workbench | undefined;
    try {
      for (let i = 0; i < 2; i += 1) {
        const member = await openPage(browser, first.urlFor('/signaling/?room=restart'));
        members.push(member);
        opened.push(member);
        await member.page.getByRole('button', { name: 'Join', exact: true }).click();
        await expect.poll(() => clientId(member.page)).not.toBe('—');
      }
      const [a, b] = members as [OpenedPage, OpenedPage];
      await expect.poll(() => roomEvents(a.page)).toEqual(['created', 'join', 'ready']);
      const idBefore = await clientId(a.page);

      await first.close();
      await expect.poll(() => a.page.getByRole('alert').innerText().catch(() => '')).toContain('Signaling server unreachable');
      restarted = await startWorkbench({ port });
      // socket.io retries with back-off (up to 5 s); SignalingClient then joins the room again.
      await expect.poll(() => b.page.getByRole('button', { name: 'Send', exact: true }).isEnabled(), { timeout: 20_000 }).toBe(true);
      await expect.poll(() => a.page.getByRole('button', { name: 'Send', exact: true }).isEnabled(), { timeout: 20_000 }).toBe(true);
      expect(await clientId(a.page)).not.toBe(idBefore); // a new connection is a new member
      await expect.poll(() => a.page.getByRole('alert').count()).toBe(0);
      await b.page.getByLabel('Message').fill('after the restart');
      await b.page.getByRole('button', { name: 'Send', exact: true }).click();
      await expect.poll(() => messages(a.page)).toEqual([expect.stringContaining('after the restart')]);
    } finally {
      await Promise.all(members.map((m) => m.close()));
      await restarted?.close();
      await first.close().catch(() => undefined);
    }
  });
});
