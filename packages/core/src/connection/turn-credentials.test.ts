import { describe, expect, it } from 'vitest';
import { turnRestCredentials } from './turn-credentials.js';

describe('turnRestCredentials', () => {
  // Expected values computed outside this code with:
  //   printf '%s' '1700003600:alice' | openssl dgst -sha1 -hmac 'north-pole' -binary | base64
  it('matches an HMAC-SHA1 computed independently with openssl', () => {
    const now = 1_700_000_000_000; // ms
    expect(turnRestCredentials('north-pole', 'alice', 3600, now)).toEqual({
      username: '1700003600:alice',
      credential: 'xVfUW5OYaRL/pFybksTWhCLF4cQ=',
      expiresAt: 1_700_003_600_000,
    });
    //   printf '%s' '1700000060:workbench' | openssl dgst -sha1 -hmac 's3cret' -binary | base64
    expect(turnRestCredentials('s3cret', 'workbench', 60, 1_700_000_000_999).credential).toBe('TPFExS+UPtqLAoRUFwf3kym7Qds=');
  });

  it('changes with the secret, so a wrong secret cannot produce working credentials', () => {
    const a = turnRestCredentials('one', 'u', 60, 0);
    const b = turnRestCredentials('two', 'u', 60, 0);
    expect(a.username).toBe(b.username);
    expect(a.credential).not.toBe(b.credential);
  });

  it('refuses an empty secret and a non-positive TTL', () => {
    expect(() => turnRestCredentials('', 'u', 60)).toThrow(/secret/);
    expect(() => turnRestCredentials('s', 'u', 0)).toThrow(/TTL/);
  });
});
