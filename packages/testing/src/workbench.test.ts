import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HarnessErrorCode } from './errors.js';
import { FIXTURES } from './fixtures.js';
import { makeTempDir } from './processes.js';
import { startWorkbench, type Workbench } from './workbench.js';

describe('startWorkbench', () => {
  let workbench: Workbench;
  beforeAll(async () => {
    workbench = await startWorkbench({ staticRoots: { steps: FIXTURES.harnessPage, diagnostics: FIXTURES.harnessPage } });
  });
  afterAll(() => workbench?.close());

  it('listens on 127.0.0.1 on a free port and is healthy', async () => {
    expect(workbench.host).toBe('127.0.0.1');
    expect(workbench.url).toBe(`http://127.0.0.1:${workbench.port}`);
    expect(workbench.port).not.toBe(3000);
    const health = await fetch(workbench.urlFor('/healthz'));
    expect(health.status).toBe(200);
  });

  it('serves the given static root at / and the socket.io client bundle', async () => {
    expect(await (await fetch(workbench.urlFor('/'))).text()).toContain('<title>Harness page</title>');
    const client = await fetch(workbench.urlFor('/socket.io/socket.io.js'));
    expect(client.status).toBe(200);
    expect(await client.text()).toMatch(/io\b/);
  });

  it('urlFor resolves paths against the server root', () => {
    expect(workbench.urlFor('/webcam/')).toBe(`${workbench.url}/webcam/`);
    expect(workbench.urlFor('diagnostics/ice/')).toBe(`${workbench.url}/diagnostics/ice/`);
  });

  it('close() stops listening', async () => {
    const other = await startWorkbench({ staticRoots: { steps: FIXTURES.harnessPage, diagnostics: FIXTURES.harnessPage } });
    await other.close();
    await expect(fetch(other.urlFor('/healthz'))).rejects.toThrow();
  });
});

describe('startWorkbench without a build', () => {
  it('fails with AppsNotBuilt and the command to build', async () => {
    const empty = makeTempDir('unbuilt');
    try {
      await expect(startWorkbench({ staticRoots: { steps: empty.path, diagnostics: FIXTURES.harnessPage } })).rejects.toMatchObject({
        code: HarnessErrorCode.AppsNotBuilt,
        message: expect.stringContaining('npm run build'),
      });
    } finally {
      empty.remove();
    }
  });
});
