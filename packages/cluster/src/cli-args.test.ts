import { NGINX, REDIS } from '@workbench/testing';
import { describe, expect, it } from 'vitest';

import { parseClusterArgs } from './cli-args.js';
import { missingProgramsLine } from './cluster.js';

describe('parseClusterArgs', () => {
  it('defaults to two processes behind port 8080, over HTTP', () => {
    expect(parseClusterArgs([])).toEqual({ processes: 2, port: 8080, https: false, certDir: undefined, serverArgs: [], help: false });
  });

  it('passes everything after -- to the server processes untouched', () => {
    expect(parseClusterArgs(['--processes', '3', '--https', '--', '--turn-url', 'turn:127.0.0.1:3478', '--processes'])).toMatchObject({
      processes: 3,
      https: true,
      serverArgs: ['--turn-url', 'turn:127.0.0.1:3478', '--processes'],
    });
  });

  it('says where server flags go when one is given without --', () => {
    expect(() => parseClusterArgs(['--turn-url', 'x'])).toThrow(/--turn-url.*go after --/);
  });

  it.each([['--processes', '0'], ['--processes', '17'], ['--processes', 'two'], ['--port', '70000']])('refuses %s %s', (flag, value) => {
    expect(() => parseClusterArgs([flag, value])).toThrow(new RegExp(`${flag} must be a whole number`));
  });
});

describe('missingProgramsLine', () => {
  const nowhere = { PATH: '/nonexistent' };
  const notInstalled = [NGINX, REDIS].map((program) => ({ ...program, defaultPaths: ['/nonexistent/bin'] }));

  it('is undefined when nginx and redis-server are installed', () => {
    expect(missingProgramsLine()).toBeUndefined();
  });

  it('names both, and the one command that installs them, on one line', () => {
    const line = missingProgramsLine(nowhere, notInstalled);
    expect(line).toBe(
      'nginx and redis-server are not installed: `apt-get install nginx redis-server` as root (or npm run system-deps), or set NGINX_PATH / REDIS_SERVER_PATH to their paths',
    );
  });

  it('names a path variable that points at nothing', () => {
    expect(missingProgramsLine({ NGINX_PATH: '/nonexistent/nginx' })).toBe('NGINX_PATH=/nonexistent/nginx is not an executable file (point it at nginx or unset it)');
  });
});
