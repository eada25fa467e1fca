import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { HarnessErrorCode } from './errors.js';
import { makeTempDir, spawnManaged, waitUntilReady } from './processes.js';

describe('spawnManaged + waitUntilReady', () => {
  it('fails fast with the output when the process exits before it is ready', async () => {
    const proc = spawnManaged('crasher', 'sh', ['-c', 'echo "config error: bad port" >&2; exit 3']);
    await expect(waitUntilReady(proc, async () => false, 5000)).rejects.toMatchObject({
      code: HarnessErrorCode.ProcessExited,
      message: expect.stringMatching(/crasher exited \(code 3.*config error: bad port/s),
    });
  });

  it('times out, stops the process and reports StartTimeout', async () => {
    const proc = spawnManaged('sleeper', 'sleep', ['30']);
    await expect(waitUntilReady(proc, async () => false, 300)).rejects.toMatchObject({ code: HarnessErrorCode.StartTimeout });
    expect((await proc.exited).signal).toBe('SIGTERM');
  });

  it('resolves once the probe succeeds', async () => {
    const proc = spawnManaged('sleeper', 'sleep', ['30']);
    let calls = 0;
    await waitUntilReady(proc, async () => ++calls >= 3, 5000);
    expect(calls).toBe(3);
    await proc.stop();
  });

  it('stop() escalates to SIGKILL when SIGTERM is ignored', async () => {
    const proc = spawnManaged('stubborn', 'sh', ['-c', 'trap "" TERM; echo ready; while :; do sleep 0.05; done']);
    await waitUntilReady(proc, async () => proc.output().includes('ready'), 5000);
    await proc.stop(200);
    expect((await proc.exited).signal).toBe('SIGKILL');
  });

  it('reports a command that does not exist as an exit, with the spawn error', async () => {
    const proc = spawnManaged('ghost', '/nonexistent/ghost', []);
    await expect(waitUntilReady(proc, async () => false, 2000)).rejects.toThrow(/ENOENT/);
  });
});

describe('makeTempDir', () => {
  it('creates a private directory and removes it with its contents', () => {
    const dir = makeTempDir('unit');
    writeFileSync(join(dir.path, 'file'), 'x');
    expect(existsSync(join(dir.path, 'file'))).toBe(true);
    dir.remove();
    expect(existsSync(dir.path)).toBe(false);
  });
});
