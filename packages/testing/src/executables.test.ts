import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { HarnessErrorCode } from './errors.js';
import {
  CHROMIUM,
  COTURN,
  FIREFOX,
  NGINX,
  REDIS,
  REDIS_CLI,
  findChromium,
  findExecutable,
  findFirefox,
  findNginx,
  findRedisCli,
  findRedisServer,
  findTurnserver,
  whichSync,
} from './executables.js';
import { makeTempDir } from './processes.js';

const dir = makeTempDir('executables-test');
afterAll(() => dir.remove());

function fakeExecutable(name: string): string {
  const path = join(dir.path, name);
  writeFileSync(path, '#!/bin/sh\nexit 0\n');
  chmodSync(path, 0o755);
  return path;
}

describe('finding system programs', () => {
  // These run against the machine's real installation: `npm test` installs the packages first, and a
  // machine without them must fail here with the install command rather than skip.
  it('finds the installed Chromium, Firefox ESR, turnserver, redis-server and nginx', () => {
    for (const path of [findChromium(), findFirefox(), findTurnserver(), findRedisServer(), findRedisCli(), findNginx()]) expect(path).toMatch(/^\//);
  });

  it('prefers CHROME_PATH / FIREFOX_PATH when set', () => {
    const chrome = fakeExecutable('my-chrome');
    const firefox = fakeExecutable('my-firefox');
    expect(findChromium({ ...process.env, CHROME_PATH: chrome })).toBe(chrome);
    expect(findFirefox({ ...process.env, FIREFOX_PATH: firefox })).toBe(firefox);
  });

  it('resolves a bare name in CHROME_PATH on PATH', () => {
    fakeExecutable('chrome-on-path');
    expect(findChromium({ PATH: dir.path, CHROME_PATH: 'chrome-on-path' })).toBe(join(dir.path, 'chrome-on-path'));
  });

  it('refuses a CHROME_PATH that is not an executable, instead of silently using another browser', () => {
    expect(() => findChromium({ ...process.env, CHROME_PATH: join(dir.path, 'missing') })).toThrow(
      expect.objectContaining({ code: HarnessErrorCode.BadExecutablePath, message: expect.stringContaining('CHROME_PATH') }),
    );
  });

  it('falls back to the PATH names in order (google-chrome when there is no chromium)', () => {
    const google = fakeExecutable('google-chrome');
    expect(findExecutable({ ...CHROMIUM, defaultPaths: [] }, { PATH: dir.path })).toEqual({ path: google, source: 'path' });
  });

  it.each([
    { program: CHROMIUM, command: 'apt-get install chromium' },
    { program: FIREFOX, command: 'apt-get install firefox-esr' },
    { program: COTURN, command: 'apt-get install coturn' },
    { program: REDIS, command: 'apt-get install redis-server' },
    { program: REDIS_CLI, command: 'apt-get install redis-tools' },
    { program: NGINX, command: 'apt-get install nginx' },
  ])('says `$command` when $program.title is missing', ({ program, command }) => {
    const nowhere = { ...program, defaultPaths: [join(dir.path, 'not-installed')] };
    let thrown: unknown;
    try {
      findExecutable(nowhere, { PATH: join(dir.path, 'empty-path') });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ name: 'HarnessError', code: HarnessErrorCode.MissingSystemPackage });
    expect((thrown as Error).message).toContain(command);
    expect((thrown as Error).message).toContain('npm run system-deps');
  });

  it('whichSync skips directories and non-executables', () => {
    writeFileSync(join(dir.path, 'not-executable'), 'data');
    expect(whichSync('not-executable', dir.path)).toBeUndefined();
    expect(whichSync('sh', '/nonexistent:/bin:/usr/bin')).toMatch(/\/sh$/);
  });
});
