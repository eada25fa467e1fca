/** Configuration of the Redis mode: flags and environment, and a clear coded error when Redis is not there. */
import { freeTcpPort } from '@workbench/testing';
import { describe, expect, it } from 'vitest';
import { parseCliArgs, startServer } from '../src/index.js';

describe('Redis configuration', () => {
  it('reads --redis-url and the limits from flags or the environment, flags first', () => {
    expect(
      parseCliArgs(
        ['--redis-url', 'redis://127.0.0.1:6380', '--seat-ttl', '3000', '--reconnect-grace', '0', '--message-rate', '20', '--join-burst', '4', '--log-format', 'json'],
        { REDIS_URL: 'redis://elsewhere:1', MESSAGE_BURST: '40' } as NodeJS.ProcessEnv,
      ),
    ).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6380',
      seatTtlMs: 3000,
      reconnectGraceMs: 0,
      logFormat: 'json',
      rateLimits: { messages: { perSecond: 20, burst: 40 }, joins: { perSecond: 2, burst: 4 } },
    });
    expect(parseCliArgs([], { REDIS_URL: 'redis://r:6379', SEAT_TTL_MS: '9000' } as NodeJS.ProcessEnv)).toMatchObject({ redisUrl: 'redis://r:6379', seatTtlMs: 9000 });
    expect(parseCliArgs([], {} as NodeJS.ProcessEnv)).not.toHaveProperty('redisUrl');
    expect(() => parseCliArgs(['--redis-url', 'localhost:6379'], {} as NodeJS.ProcessEnv)).toThrow(/--redis-url must look like redis:\/\//);
    expect(() => parseCliArgs(['--seat-ttl', '10'], {} as NodeJS.ProcessEnv)).toThrow(/--seat-ttl must be from 500/);
    expect(() => parseCliArgs(['--log-format', 'xml'], {} as NodeJS.ProcessEnv)).toThrow(/--log-format must be one of json, text/);
  });

  it('refuses to start, with REDIS_UNAVAILABLE and what to do, when nothing answers at the Redis URL', async () => {
    const port = await freeTcpPort('127.0.0.1');
    const startedAt = Date.now();
    const failure = await startServer({ port: 0, logLevel: 'silent', redisUrl: `redis://127.0.0.1:${port}` }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'REDIS_UNAVAILABLE', message: expect.stringMatching(/Could not reach Redis at redis:\/\/127\.0\.0\.1:\d+ .*Start redis-server there, or fix --redis-url/) });
    expect(Date.now() - startedAt).toBeLessThan(8000);
  });

  it('refuses a Redis URL and Redis Cluster nodes together, and nodes that are not host:port', async () => {
    const both = await startServer({ port: 0, logLevel: 'silent', redisUrl: 'redis://127.0.0.1:6379', redisCluster: ['127.0.0.1:7000'] }).catch((error: unknown) => error);
    expect(both).toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringMatching(/either a Redis URL .* or Redis Cluster nodes, not both/) });
    const bad = await startServer({ port: 0, logLevel: 'silent', redisCluster: ['127.0.0.1:7000', 'redis://127.0.0.1:7001'] }).catch((error: unknown) => error);
    expect(bad).toMatchObject({ code: 'INVALID_CONFIG', message: 'A Redis Cluster node must look like 127.0.0.1:7000, got "redis://127.0.0.1:7001".' });
  });

  it('refuses to start, with REDIS_UNAVAILABLE and what to do, when no Redis Cluster node answers', async () => {
    const ports = [await freeTcpPort('127.0.0.1'), await freeTcpPort('127.0.0.1')];
    const startedAt = Date.now();
    const failure = await startServer({ port: 0, logLevel: 'silent', redisCluster: ports.map((port) => `127.0.0.1:${port}`) }).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: 'REDIS_UNAVAILABLE',
      message: expect.stringMatching(/Could not reach the Redis Cluster \(cluster 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+; .*fix --redis-cluster \/ REDIS_CLUSTER/),
    });
    expect(Date.now() - startedAt).toBeLessThan(8000);
  });
});
