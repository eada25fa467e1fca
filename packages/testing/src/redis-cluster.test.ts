import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { redisCommand } from './redis.js';
import { startRedisCluster, type RedisCluster, type RedisClusterNode } from './redis-cluster.js';

describe('startRedisCluster', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 40_000);
  afterAll(() => cluster?.stop());

  it('starts three masters that each say cluster_state:ok and know three masters', async () => {
    expect(cluster.nodes).toHaveLength(3);
    expect(cluster.addresses).toBe(cluster.nodes.map((node) => `127.0.0.1:${node.port}`).join(','));
    for (const node of cluster.nodes) {
      const info = await redisCommand(node.host, node.port, ['CLUSTER', 'INFO']);
      expect(info).toContain('cluster_state:ok');
      expect(info).toContain('cluster_slots_assigned:16384');
      expect(info).toContain('cluster_size:3');
    }
  });

  it('places a key on the master that serves its slot, and redirects the others with MOVED', async () => {
    // The slot comes from Redis (CLUSTER KEYSLOT): only the part in braces counts, so a prefix does not move it.
    const first = cluster.nodes[0]!;
    const slot = Number((await redisCommand(first.host, first.port, ['CLUSTER', 'KEYSLOT', '{room:foo}seats'])).slice(1));
    expect(await redisCommand(first.host, first.port, ['CLUSTER', 'KEYSLOT', 'workbench:{room:foo}'])).toBe(`:${slot}\r\n`);
    const owner = await cluster.nodeForSlot(slot);
    expect(await redisCommand(owner.host, owner.port, ['SET', '{room:foo}seats', 'two'])).toBe('+OK\r\n');
    for (const node of cluster.nodes.filter((n) => n !== owner)) {
      expect(await redisCommand(node.host, node.port, ['GET', '{room:foo}seats'])).toBe(`-MOVED ${slot} 127.0.0.1:${owner.port}\r\n`);
    }
  });

  it('stops one master (the cluster goes down) and starts it again, empty, as the same node', async () => {
    const [first, , third] = cluster.nodes as [RedisClusterNode, RedisClusterNode, RedisClusterNode];
    const id = await redisCommand(third.host, third.port, ['CLUSTER', 'MYID']);
    await cluster.stopNode(third);
    await expect(redisCommand(third.host, third.port, ['PING'], 500)).rejects.toThrow(/ECONNREFUSED/);
    // The others notice within the node timeout (2 s) and stop serving.
    const deadline = Date.now() + 10_000;
    while (!(await redisCommand(first.host, first.port, ['CLUSTER', 'INFO'])).includes('cluster_state:fail') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await redisCommand(first.host, first.port, ['CLUSTER', 'INFO'])).toContain('cluster_state:fail');
    await cluster.startNode(third);
    expect(await redisCommand(third.host, third.port, ['CLUSTER', 'MYID'])).toBe(id);
    for (const node of cluster.nodes) expect(await redisCommand(node.host, node.port, ['CLUSTER', 'INFO'])).toContain('cluster_state:ok');
  }, 40_000);

  it('runs without persistence', async () => {
    const node = cluster.nodes[1]!;
    expect(await redisCommand(node.host, node.port, ['CONFIG', 'GET', 'appendonly'])).toContain('no');
    expect(await redisCommand(node.host, node.port, ['CONFIG', 'GET', 'save'])).toBe('*2\r\n$4\r\nsave\r\n$0\r\n\r\n');
  });
});

describe('stopping a Redis Cluster', () => {
  it('stop() ends every node and removes their working dirs', async () => {
    const cluster = await startRedisCluster();
    const dirs = await Promise.all(
      cluster.nodes.map(async (node) => (await redisCommand(node.host, node.port, ['CONFIG', 'GET', 'dir'])).split('\r\n')[4] as string),
    );
    for (const dir of dirs) expect(existsSync(dir)).toBe(true);
    await cluster.stop();
    for (const node of cluster.nodes) await expect(redisCommand(node.host, node.port, ['PING'], 500)).rejects.toThrow(/ECONNREFUSED/);
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
  }, 40_000);
});
