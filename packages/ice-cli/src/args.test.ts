import { describe, expect, it } from 'vitest';

import { parseIceArgs, UsageError } from './args.js';

describe('parseIceArgs', () => {
  it('colours the table only on a terminal, and never with NO_COLOR, --no-color or machine formats', () => {
    const url = ['stun:stun.example.org'];
    expect(parseIceArgs(url, { isTTY: true, env: {} }).color).toBe(true);
    expect(parseIceArgs(url, { isTTY: false, env: {} }).color).toBe(false);
    expect(parseIceArgs(url, { isTTY: true, env: { NO_COLOR: '1' } }).color).toBe(false);
    expect(parseIceArgs([...url, '--no-color'], { isTTY: true, env: {} }).color).toBe(false);
    expect(parseIceArgs([...url, '--json'], { isTTY: true, env: {} }).color).toBe(false);
  });

  it('reads the budget in seconds, the policy and the format', () => {
    const command = parseIceArgs(['turn:t.example:3478', '--secret', 's', '--ttl', '60', '--budget', '2.5', '--relay-only', '--no-loopback', '--format', 'prometheus']);
    expect(command).toMatchObject({ secret: 's', ttlSeconds: 60, budgetMs: 2500, policy: 'relay', loopback: false, format: 'prometheus' });
  });

  it('refuses contradictory credentials with a sentence', () => {
    expect(() => parseIceArgs(['turn:t', '--secret', 's', '--username', 'u', '--credential', 'p'])).toThrow(UsageError);
    expect(() => parseIceArgs(['turn:t', '--username', 'u'])).toThrow(/--username and --credential go together/);
    expect(() => parseIceArgs(['--from', 'ftp://x/api'])).toThrow(/--from must be an http\(s\) URL/);
    expect(() => parseIceArgs(['stun:x', '--format', 'xml'])).toThrow(/--format must be table, json or prometheus/);
  });
});
