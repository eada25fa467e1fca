/**
 * --trust-proxy through the real nginx. nginx connects to every process from 127.0.0.1, so without
 * the flag every client has that one address and shares one budget of connections; with it each
 * client is the address nginx appends to X-Forwarded-For, and an X-Forwarded-For the client writes
 * itself changes nothing, because the server reads the chain from the right and stops at the first
 * hop it does not trust. Stickiness keeps all of one client's connections on one process, so a
 * process's per-address cap is that client's whole budget.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startCluster, type Cluster } from '../src/cluster.js';
import { connectFrom, loopbackAddresses, processFor, ServerLogs, until, type Connection } from './clients.js';

const CAP = ['--address-connections', '2'];
let connections: Connection[] = [];

afterEach(() => {
  for (const c of connections) c.socket.disconnect();
  connections = [];
});

async function connect(cluster: Cluster, address: string, forwardedFor?: string): Promise<Connection> {
  const connection = await connectFrom(cluster.url, address, forwardedFor !== undefined ? { extraHeaders: { 'X-Forwarded-For': forwardedFor } } : {});
  connections.push(connection);
  return connection;
}

/** The address-limit refusals a process logged, by the address it blamed. */
function refusalsBlaming(logs: ServerLogs, cluster: Cluster): { process: number; address: unknown }[] {
  return logs.find(cluster, (r) => r.event === 'address_limit').map(({ process, record }) => ({ process, address: record.address }));
}

describe('with --trust-proxy 127.0.0.1 (what npm run cluster runs)', () => {
  const logs = new ServerLogs();
  let cluster: Cluster;
  /** Two client addresses nginx sends to the same process, so they would share a budget if they shared an address. */
  let neighbours: [string, string];

  beforeAll(async () => {
    cluster = await startCluster({ processes: 2, serverArgs: ['--no-default-stun', '--log-format', 'json', ...CAP], onServerLine: logs.collect });
    const candidates = loopbackAddresses(12, 0, 9);
    const seen = new Map<number, string>();
    for (const address of candidates) {
      const process = await processFor(cluster, address);
      const other = seen.get(process);
      if (other !== undefined) {
        neighbours = [other, address];
        return;
      }
      seen.set(process, address);
    }
    throw new Error(`none of ${candidates.join(', ')} share a process`);
  });
  afterAll(async () => cluster?.stop());

  it('caps each client at its own address: two neighbours on one process each get two connections', async () => {
    const [first, second] = neighbours;
    expect((await connect(cluster, first)).connected).toBe(true);
    expect((await connect(cluster, first)).connected).toBe(true);
    // The third from the same client reaches the same process (sticky), which counts it as the third.
    expect((await connect(cluster, first)).connected).toBe(false);
    expect((await connect(cluster, second)).connected).toBe(true);
    expect((await connect(cluster, second)).connected).toBe(true);
    await until(() => refusalsBlaming(logs, cluster).length === 1, 5000, 'the refusal in the log');
    expect(refusalsBlaming(logs, cluster)).toEqual([{ process: await processFor(cluster, first), address: first }]);
  });

  it('ignores an X-Forwarded-For the client writes itself: nginx appends the real address, which the server reads', async () => {
    const forger = '127.0.8.1';
    const before = refusalsBlaming(logs, cluster).length;
    // Each attempt claims to be someone new; every one is counted against 127.0.8.1.
    expect((await connect(cluster, forger, '198.51.100.1')).connected).toBe(true);
    expect((await connect(cluster, forger, '198.51.100.2')).connected).toBe(true);
    expect((await connect(cluster, forger, '198.51.100.3')).connected).toBe(false);
    await until(() => refusalsBlaming(logs, cluster).length === before + 1, 5000, 'the refusal in the log');
    // (Records come process by process, not in time order: look for the address, not the last one.)
    const blamed = refusalsBlaming(logs, cluster).map((r) => r.address);
    expect(blamed.filter((address) => address === forger)).toHaveLength(1);
    expect(blamed.filter((address) => String(address).startsWith('198.51.100.'))).toEqual([]);
  });
});

describe('without --trust-proxy (to show what the flag is for)', () => {
  const logs = new ServerLogs();
  let cluster: Cluster;

  beforeAll(async () => {
    // One process, so that every client certainly meets the same counter.
    cluster = await startCluster({ processes: 1, trustProxy: false, serverArgs: ['--no-default-stun', '--log-format', 'json', ...CAP], onServerLine: logs.collect });
  });
  afterAll(async () => cluster?.stop());

  it('every client is nginx: a second client is refused because the first used up "its" budget', async () => {
    const [first, second] = loopbackAddresses(2, 0, 10) as [string, string];
    expect((await connect(cluster, first)).connected).toBe(true);
    expect((await connect(cluster, first)).connected).toBe(true);
    expect((await connect(cluster, second)).connected).toBe(false);
    await until(() => refusalsBlaming(logs, cluster).length === 1, 5000, 'the refusal in the log');
    expect(refusalsBlaming(logs, cluster)).toEqual([{ process: 1, address: '127.0.0.1' }]);
  });
});
