import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { redisCommand, startRedis, type RedisServer } from './redis.js';

describe('startRedis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  it('answers PING with PONG over a raw RESP socket', async () => {
    expect(await redisCommand('127.0.0.1', redis.port, ['PING'])).toBe('+PONG\r\n');
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
  });

  it('stores and returns a value', async () => {
    expect(await redisCommand(redis.host, redis.port, ['SET', 'room:foo', 'two members'])).toBe('+OK\r\n');
    expect(await redisCommand(redis.host, redis.port, ['GET', 'room:foo'])).toBe('$11\r\ntwo members\r\n');
  });

  it('runs without persistence', async () => {
    expect(await redisCommand(redis.host, redis.port, ['CONFIG', 'GET', 'appendonly'])).toContain('no');
    expect(await redisCommand(redis.host, redis.port, ['CONFIG', 'GET', 'save'])).toBe('*2\r\n$4\r\nsave\r\n$0\r\n\r\n');
  });
});

describe('stopping Redis', () => {
  it('stop() ends the server: its port refuses connections', async () => {
    const redis = await startRedis();
    await redis.stop();
    await expect(redisCommand('127.0.0.1', redis.port, ['PING'], 500)).rejects.toThrow(/ECONNREFUSED/);
  });
});
