// The server's TURN REST credentials (GET /api/ice-servers with a shared secret) must be accepted by
// a real coturn configured with the same `static-auth-secret` — the setup the README documents.
import { startCoturn, startWorkbench, turnAllocate, FIXTURES, type CoturnServer, type Workbench } from '@workbench/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface IceServersBody {
  iceServers: { urls: string[]; username?: string; credential?: string }[];
  ttlSeconds?: number;
}

const staticRoots = { steps: FIXTURES.harnessPage, diagnostics: FIXTURES.harnessPage };

async function turnEntry(workbench: Workbench): Promise<{ urls: string[]; username: string; credential: string }> {
  const body = (await (await fetch(workbench.urlFor('/api/ice-servers'))).json()) as IceServersBody;
  const turn = body.iceServers.find((server) => server.urls.some((url) => url.startsWith('turn:')));
  if (!turn?.username || !turn.credential) throw new Error(`no TURN entry with credentials in ${JSON.stringify(body)}`);
  return { urls: turn.urls, username: turn.username, credential: turn.credential };
}

describe('/api/ice-servers with a TURN secret, against coturn', () => {
  let coturn: CoturnServer;
  let workbench: Workbench;
  beforeAll(async () => {
    coturn = await startCoturn({ authSecret: 'workbench-shared-secret' });
    workbench = await startWorkbench({
      staticRoots,
      iceServers: { stun: [coturn.stunUrl], turn: { urls: [coturn.turnUdpUrl, coturn.turnTcpUrl], secret: 'workbench-shared-secret', ttlSeconds: 600 } },
    });
  });
  afterAll(async () => {
    await workbench?.close();
    await coturn?.stop();
  });

  it('hands out the configured STUN and TURN URLs', async () => {
    const body = (await (await fetch(workbench.urlFor('/api/ice-servers'))).json()) as IceServersBody;
    expect(body.iceServers.flatMap((s) => s.urls)).toEqual(expect.arrayContaining([coturn.stunUrl, coturn.turnUdpUrl, coturn.turnTcpUrl]));
  });

  it('issues credentials coturn accepts: a relay is allocated', async () => {
    const { username, credential } = await turnEntry(workbench);
    const allocation = await turnAllocate('127.0.0.1', coturn.port, { username, password: credential });
    expect(allocation.relayed.address).toBe('127.0.0.1');
    expect(allocation.relayed.port).toBeGreaterThanOrEqual(coturn.relayPorts.min);
    expect(allocation.relayed.port).toBeLessThanOrEqual(coturn.relayPorts.max);
  });

  it('issues credentials that expire within the configured TTL', async () => {
    const { username } = await turnEntry(workbench);
    const expiry = Number(username.split(':')[0]);
    const now = Date.now() / 1000;
    expect(expiry).toBeGreaterThan(now + 590);
    expect(expiry).toBeLessThanOrEqual(now + 601);
  });

  it('credentials from a server with another secret are refused by coturn (401)', async () => {
    const misconfigured = await startWorkbench({ staticRoots, iceServers: { turn: { urls: [coturn.turnUdpUrl], secret: 'not-the-coturn-secret' } } });
    try {
      const { username, credential } = await turnEntry(misconfigured);
      await expect(turnAllocate('127.0.0.1', coturn.port, { username, password: credential })).rejects.toThrow(/401/);
    } finally {
      await misconfigured.close();
    }
  });
});
