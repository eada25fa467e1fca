// The camera resolution probe (/diagnostics/camera/) in real Chromium, against answers known in advance:
// - the default fake camera, whose native modes are 320×240, 640×480, 1280×720, 1920×1080 and 3840×2160
//   (resizeMode "none"), every other size scaled, and getCapabilities() topping out at 3840×2160;
// - a fake camera playing a Y4M file this test writes at 640×360, so 640×360 is its only native mode;
// - the camera held by another track (in the page, or in another tab), which must not break the probe;
// - no camera at all, and the permission denied, each explained on the page.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import shell from '@workbench/i18n/messages/zh-CN.json' with { type: 'json' };
import zh from '@workbench/i18n/messages/camera/zh-CN.json' with { type: 'json' };
import { BLACK_MEAN_LUMA, STANDARD_RESOLUTIONS, type FrameMeasurement, type ProbeReport, type ResolutionResult } from '@workbench/core/camera-probe';
import { axeFindings, englishLeft, launchChromium, makeTempDir, openPage, startWorkbench, type OpenedPage, type Workbench } from '@workbench/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/** What the page puts on `window` for the console (src/pages/camera/live-objects.d.ts). */
interface PassRecord {
  pass: 'quick' | 'deep';
  outcome: 'finished' | 'cancelled' | 'failed';
  sizes: number;
}
type ProbeWindow = Window & {
  cameraProbe?: {
    report: ProbeReport | null;
    results: ResolutionResult[];
    passes: PassRecord[];
    measureVideoFrames(options: { video: HTMLVideoElement; windowMs?: number }): (track: MediaStreamTrack, context: { requestedAt: number }) => Promise<FrameMeasurement>;
  };
  held?: MediaStream;
};

const FAKE_NATIVE = ['320x240', '640x480', '1280x720', '1920x1080', '3840x2160'];
const STANDARD_KEYS = STANDARD_RESOLUTIONS.map((size) => `${size.width}x${size.height}`);
// Generous: the machine running these tests may be heavily loaded; the assertions stay strict.
const PASS_TIMEOUT_MS = 90_000;
const PAGE_TIMEOUT_MS = 60_000;
/** Per test: several passes, each of which may take a while on a loaded machine. */
const TEST_TIMEOUT = { timeout: 180_000 };

const key = (result: ResolutionResult) => `${result.requested.width}x${result.requested.height}`;
const codesOf = (results: ResolutionResult[]) => Object.fromEntries(results.map((result) => [key(result), result.code]));

let workbench: Workbench;
const opened: OpenedPage[] = [];
beforeAll(async () => {
  workbench = await startWorkbench();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await workbench?.close();
});

async function openCamera(browser: Browser, contextOptions: Parameters<typeof openPage>[2] = {}): Promise<OpenedPage> {
  const opening = await openPage(browser, workbench.urlFor('/diagnostics/camera/'), { ...contextOptions, context: { acceptDownloads: true, ...contextOptions.context } });
  opened.push(opening);
  await opening.page.getByRole('heading', { level: 1, name: 'Camera probe' }).waitFor({ timeout: PAGE_TIMEOUT_MS });
  await opening.page.waitForFunction(() => (window as ProbeWindow).cameraProbe !== undefined, undefined, { timeout: PAGE_TIMEOUT_MS });
  return opening;
}

interface PassOutcome {
  pass: PassRecord;
  report: ProbeReport | null;
  /** What the table shows after the pass. */
  results: ResolutionResult[];
}

/** Clicks Quick scan or Deep test and waits until that pass has ended, however it ended. */
async function runPass(page: Page, button: 'Quick scan' | 'Deep test'): Promise<PassOutcome> {
  const before = await page.evaluate(() => (window as ProbeWindow).cameraProbe?.passes.length ?? 0);
  await page.getByRole('button', { name: button, exact: true }).click();
  await page.waitForFunction((count) => ((window as ProbeWindow).cameraProbe?.passes.length ?? 0) > count, before, { timeout: PASS_TIMEOUT_MS });
  return page.evaluate(() => {
    const probe = (window as ProbeWindow).cameraProbe;
    return JSON.parse(JSON.stringify({ pass: probe?.passes.at(-1), report: probe?.report ?? null, results: probe?.results ?? [] })) as PassOutcome;
  });
}

/** Unticks every standard size, then ticks `keys` and types `custom`. */
async function chooseSizes(page: Page, keys: string[], custom = ''): Promise<void> {
  await page.getByRole('button', { name: 'None', exact: true }).click();
  for (const size of keys) {
    const [width, height] = size.split('x');
    await page.getByRole('checkbox', { name: new RegExp(`^${width}×${height} `) }).check();
  }
  await page.getByLabel('Custom sizes').fill(custom);
}

async function progressOf(page: Page, label: string): Promise<[number, number]> {
  return page.getByLabel(label, { exact: true }).evaluate((bar) => [(bar as HTMLProgressElement).value, (bar as HTMLProgressElement).max]);
}

/** The known answer for Chromium's default fake camera, size by size. */
function expectFakeCameraAnswer(results: ResolutionResult[]): void {
  expect(results.map(key)).toEqual(STANDARD_KEYS);
  for (const result of results) {
    const size = key(result);
    if (size === '4096x2160') {
      expect(result, size).toMatchObject({ status: 'fail', code: 'OUT_OF_RANGE', attempts: 0 });
      expect(result.reason).toContain("getCapabilities() says this camera's width is 1–3840");
      continue;
    }
    const native = FAKE_NATIVE.includes(size);
    expect(result, size).toMatchObject({
      status: 'pass',
      code: native ? 'NATIVE' : 'SCALED',
      mode: native ? 'native' : 'scaled',
      resizeMode: native ? 'none' : 'crop-and-scale',
      actual: { width: result.requested.width, height: result.requested.height },
      attempts: 1,
    });
  }
}

describe("Chromium's default fake camera", TEST_TIMEOUT, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('quick scan: the five native modes read native, the other sizes scaled, 4096×2160 ruled out by getCapabilities()', async () => {
    const { page, problems } = await openCamera(browser);
    const { pass, report, results } = await runPass(page, 'Quick scan');
    expect(pass).toMatchObject({ pass: 'quick', outcome: 'finished', sizes: 14 });
    expectFakeCameraAnswer(results);
    expect(report?.cameras).toEqual([expect.objectContaining({ label: 'fake_device_0', capabilitiesFrom: 'device', capabilities: expect.objectContaining({ width: { min: 1, max: 3840 } }) })]);
    expect(report?.cameras[0]?.heldAt).toBeUndefined();

    // The table says the same, row by row.
    const row = (size: string) => page.locator(`tr[data-size="${size}"]`);
    await expect.poll(() => page.locator('tbody tr[data-size]').count()).toBe(14);
    expect(await row('1280x720').locator('td').allInnerTexts()).toEqual(expect.arrayContaining(['pass', 'native', '1280×720']));
    expect(await row('640x360').locator('td').allInnerTexts()).toEqual(expect.arrayContaining(['pass', 'scaled', '640×360']));
    expect(await row('4096x2160').innerText()).toContain('OUT_OF_RANGE');
    expect(await progressOf(page, 'Probe progress')).toEqual([14, 14]);
    await expect.poll(() => page.getByRole('button', { name: 'Cancel' }).isDisabled()).toBe(true);
    expect(problems()).toEqual([]);
  });

  it('Export CSV and Export JSON download what the table shows', async () => {
    const { page, problems } = await openCamera(browser);
    const { results } = await runPass(page, 'Quick scan');

    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(csvDownload.suggestedFilename()).toMatch(/^camera-probe-.*\.csv$/);
    const csv = readFileSync(await csvDownload.path(), 'utf8').split('\r\n');
    expect(csv[0]?.split(',').slice(0, 8)).toEqual(['pass', 'camera', 'deviceId', 'width', 'height', 'status', 'code', 'reason']);
    expect(csv).toHaveLength(16); // header, 14 rows, the empty string after the last CRLF
    expect(csv.find((line) => line.includes(',1280,720,'))).toMatch(/^quick,fake_device_0,[0-9a-f]+,1280,720,pass,NATIVE,/);

    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const exported = JSON.parse(readFileSync(await jsonDownload.path(), 'utf8')) as { results: ResolutionResult[]; cameras: { label: string }[]; passes: PassRecord[] };
    expect(exported.results).toEqual(results);
    expect(exported.cameras.map((camera) => camera.label)).toEqual(['fake_device_0']);
    expect(exported.passes).toEqual([expect.objectContaining({ pass: 'quick', outcome: 'finished', sizes: 14 })]);
    expect(problems()).toEqual([]);
  });

  it('custom sizes: typed sizes are probed with the ticked ones, what cannot be read is named', async () => {
    const { page, problems } = await openCamera(browser);
    await chooseSizes(page, [], '');
    expect(await page.getByRole('button', { name: 'Quick scan' }).isDisabled()).toBe(true);
    await chooseSizes(page, ['640x480'], '1000x700, 2000x1000; 5000x3000 nonsense');
    await expect.poll(() => page.locator('#custom-hint').innerText()).toContain('Not used: "nonsense" is not WIDTHxHEIGHT');
    expect(await page.getByRole('group', { name: /Sizes to probe/ }).locator('legend').innerText()).toBe('Sizes to probe (4)');

    const { results } = await runPass(page, 'Quick scan');
    expect(results.map((result) => [key(result), result.status, result.code])).toEqual([
      ['640x480', 'pass', 'NATIVE'],
      ['1000x700', 'pass', 'SCALED'],
      ['2000x1000', 'pass', 'SCALED'],
      ['5000x3000', 'fail', 'OUT_OF_RANGE'],
    ]);
    expect(problems()).toEqual([]);
  });

  it('deep test: each mode delivers frames of its size at about 20 fps, none black or frozen, with time to first frame', async () => {
    const { page, problems } = await openCamera(browser);
    await chooseSizes(page, ['320x240', '640x360', '1280x720']);
    const { pass, results } = await runPass(page, 'Deep test');
    expect(pass).toMatchObject({ pass: 'deep', outcome: 'finished', sizes: 3 });
    expect(results.map((result) => [key(result), result.pass, result.code])).toEqual([
      ['320x240', 'deep', 'NATIVE'],
      ['640x360', 'deep', 'SCALED'],
      ['1280x720', 'deep', 'NATIVE'],
    ]);
    for (const result of results) {
      const frames = result.frames;
      expect(frames, key(result)).toBeDefined();
      if (!frames) continue;
      // Chromium's fake camera runs at 20 fps (getCapabilities().frameRate.max).
      expect(frames.fps, key(result)).toBeGreaterThan(10);
      expect(frames.fps, key(result)).toBeLessThan(22);
      expect(frames.windowMs).toBeGreaterThanOrEqual(1000);
      expect([frames.frameWidth, frames.frameHeight]).toEqual([result.requested.width, result.requested.height]);
      expect(frames.firstFrameMs).toBeGreaterThan(0);
      expect(frames.firstFrameMs).toBeLessThan(5000);
      expect(frames.sampledFrames).toBeGreaterThan(10);
      expect(frames.blackFrames).toBe(0);
      expect(frames.frozenFrames).toBe(0);
      expect(frames.meanLuma).toBeGreaterThan(BLACK_MEAN_LUMA);
    }
    expect(await progressOf(page, 'Deep test progress')).toEqual([3, 3]);
    expect(await page.locator('tr[data-size="640x360"] td').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringMatching(/^\d+\.\d$/), '0 / 0 of ' + results[1]?.frames?.sampledFrames]));
    expect(await page.getByLabel('Deep test preview').evaluate((video) => (video as HTMLVideoElement).srcObject)).toBeNull();
    expect(problems()).toEqual([]);
  });

  it('deep test measurement: black and frozen pictures are counted on real frames', async () => {
    const { page, problems } = await openCamera(browser);
    // A canvas track repainted every animation frame: black, a still grey picture, and a moving bar.
    const measured = await page.evaluate(async () => {
      const probe = (window as ProbeWindow).cameraProbe;
      const video = document.querySelector<HTMLVideoElement>('video[aria-label="Deep test preview"]');
      if (!probe || !video) throw new Error('the page has no cameraProbe or no preview video');
      const measure = probe.measureVideoFrames({ video, windowMs: 1000 });
      const run = async (paint: (g: CanvasRenderingContext2D, frame: number) => void) => {
        const canvas = document.createElement('canvas');
        canvas.width = 320;
        canvas.height = 240;
        const g = canvas.getContext('2d');
        if (!g) throw new Error('no 2d context');
        let frame = 0;
        let painting = true;
        const loop = () => {
          paint(g, frame++);
          if (painting) requestAnimationFrame(loop);
        };
        loop();
        const track = canvas.captureStream(30).getVideoTracks()[0];
        if (!track) throw new Error('no canvas track');
        try {
          return await measure(track, { requestedAt: performance.now() });
        } finally {
          painting = false;
          track.stop();
        }
      };
      const fill = (colour: string) => (g: CanvasRenderingContext2D) => {
        g.fillStyle = colour;
        g.fillRect(0, 0, 320, 240);
      };
      return {
        black: await run(fill('#000')),
        still: await run(fill('#808080')),
        moving: await run((g, frame) => {
          fill('#808080')(g);
          g.fillStyle = '#fff';
          g.fillRect((frame * 7) % 320, 0, 40, 240);
        }),
      };
    });
    for (const [name, frames] of Object.entries(measured)) expect(frames.sampledFrames, name).toBeGreaterThan(5);
    expect(measured.black.blackFrames).toBe(measured.black.sampledFrames);
    expect(measured.still.blackFrames).toBe(0);
    // The first sample has nothing to compare with; every later one shows the same picture.
    expect(measured.still.frozenFrames).toBe(measured.still.sampledFrames - 1);
    expect(measured.moving.blackFrames).toBe(0);
    expect(measured.moving.frozenFrames).toBe(0);
    expect(problems()).toEqual([]);
  });

  it('Cancel stops a deep test mid-way, releases the camera, and the next scan gives the full answer', async () => {
    const { page, problems } = await openCamera(browser);
    await page.getByRole('button', { name: 'Deep test', exact: true }).click();
    await page.waitForFunction(() => ((window as ProbeWindow).cameraProbe !== undefined && document.querySelectorAll('tbody tr[data-size]').length >= 1), undefined, { timeout: PASS_TIMEOUT_MS });
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.waitForFunction(() => (window as ProbeWindow).cameraProbe?.passes.length === 1, undefined, { timeout: PASS_TIMEOUT_MS });
    const cancelled = await page.evaluate(() => JSON.parse(JSON.stringify((window as ProbeWindow).cameraProbe)) as { passes: PassRecord[]; results: ResolutionResult[] });
    expect(cancelled.passes[0]).toMatchObject({ pass: 'deep', outcome: 'cancelled' });
    expect(cancelled.results.length).toBeGreaterThanOrEqual(1);
    expect(cancelled.results.length).toBeLessThan(14);
    expect(await page.getByLabel('Deep test preview').evaluate((video) => (video as HTMLVideoElement).srcObject)).toBeNull();
    await expect.poll(() => page.getByRole('log').innerText()).toMatch(/Deep test cancelled after \d+ of 14/);

    const { results } = await runPass(page, 'Quick scan');
    expectFakeCameraAnswer(results);
    expect(problems()).toEqual([]);
  });

  it.each(['this page', 'another tab'] as const)('a camera held by a stream in %s does not break the probe: it finishes, says why larger sizes fail, and recovers', async (where) => {
    const { page, problems } = await openCamera(browser);
    const holder = where === 'this page' ? page : (await openCamera(browser)).page;
    // Opened behind the probe's back, as the learner or another tab would: the probe cannot release it.
    const holding = await holder.evaluate(async () => {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { exact: 640 }, height: { exact: 480 } } });
      (window as ProbeWindow).held = stream;
      return (stream.getVideoTracks()[0]?.getSettings() as { resizeMode?: string } | undefined)?.resizeMode;
    });
    expect(holding).toBe('none');

    const { pass, report, results } = await runPass(page, 'Quick scan');
    expect(pass.outcome).toBe('finished');
    expect(results.map(key)).toEqual(STANDARD_KEYS);
    expect(report?.cameras[0]?.heldAt).toEqual({ width: 640, height: 480 });
    const codes = codesOf(results);
    expect(codes).toEqual({
      '160x120': 'SCALED',
      '176x144': 'SCALED',
      '320x240': 'SCALED',
      '640x360': 'SCALED',
      '640x480': 'NATIVE',
      '800x600': 'HELD_ELSEWHERE',
      '1024x768': 'HELD_ELSEWHERE',
      '1280x720': 'HELD_ELSEWHERE',
      '1280x960': 'HELD_ELSEWHERE',
      '1280x1024': 'HELD_ELSEWHERE',
      '1920x1080': 'HELD_ELSEWHERE',
      '2560x1440': 'HELD_ELSEWHERE',
      '3840x2160': 'HELD_ELSEWHERE',
      '4096x2160': 'OUT_OF_RANGE',
    });
    expect(results.find((result) => key(result) === '1280x720')?.reason).toContain('already running at 640×480 for another track');
    await expect.poll(() => page.getByRole('note').filter({ hasText: 'in use elsewhere' }).innerText()).toContain('fake_device_0 is in use elsewhere, running at 640×480');
    // The probe left the other stream alone.
    expect(await holder.evaluate(() => (window as ProbeWindow).held?.getVideoTracks()[0]?.readyState)).toBe('live');

    await holder.evaluate(() => (window as ProbeWindow).held?.getTracks().forEach((track) => track.stop()));
    const free = await runPass(page, 'Quick scan');
    expectFakeCameraAnswer(free.results);
    expect(await page.getByRole('note').filter({ hasText: 'in use elsewhere' }).count()).toBe(0);
    expect(problems()).toEqual([]);
  });

  it('has no serious or critical axe-core violations with results on screen, in light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page } = await openCamera(browser, { context: { colorScheme } });
      await chooseSizes(page, ['640x480'], '1000x700, nonsense');
      await runPass(page, 'Quick scan');
      const { report } = await axeFindings(page, `/diagnostics/camera/ with results (${colorScheme})`);
      expect(report).toBe('');
    }
  });
});

/**
 * A Y4M file Chromium's fake camera can play: 4:2:0 planes, full-range ("C420jpeg"), a grey ramp
 * shifted every frame so consecutive frames differ and none is black.
 */
function writeY4m(path: string, width: number, height: number, frames: number): void {
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`)];
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
  for (let frame = 0; frame < frames; frame++) {
    const luma = Buffer.alloc(width * height);
    for (let row = 0; row < height; row++) {
      for (let column = 0; column < width; column++) luma[row * width + column] = 40 + ((column + frame * 40) % 160);
    }
    parts.push(Buffer.from('FRAME\n'), luma, chroma, chroma);
  }
  writeFileSync(path, Buffer.concat(parts));
}

describe('a fake camera playing a 640×360 Y4M file (--use-file-for-fake-video-capture)', TEST_TIMEOUT, () => {
  let browser: Browser;
  let dir: ReturnType<typeof makeTempDir>;
  beforeAll(async () => {
    dir = makeTempDir('camera-y4m');
    const file = join(dir.path, 'camera-640x360.y4m');
    writeY4m(file, 640, 360, 6);
    browser = await launchChromium({ fakeVideoFile: file });
  });
  afterAll(async () => {
    await browser?.close();
    dir?.remove();
  });

  it('quick scan: 640×360 is the one native mode; smaller sizes are scaled, the rest fail', async () => {
    const { page, problems } = await openCamera(browser);
    const { report, results } = await runPass(page, 'Quick scan');
    expect(report?.cameras[0]?.capabilities).toMatchObject({ width: { max: 640 }, height: { max: 360 } });
    expect(results.map(key)).toEqual(STANDARD_KEYS);
    expect(results.filter((result) => result.mode === 'native').map(key)).toEqual(['640x360']);
    for (const result of results) {
      const fits = result.requested.width <= 640 && result.requested.height <= 360;
      if (key(result) === '640x360') expect(result).toMatchObject({ status: 'pass', code: 'NATIVE', resizeMode: 'none', actual: { width: 640, height: 360 } });
      else if (fits) expect(result, key(result)).toMatchObject({ status: 'pass', code: 'SCALED', resizeMode: 'crop-and-scale' });
      else expect(result, key(result)).toMatchObject({ status: 'fail', code: 'OUT_OF_RANGE', attempts: 0 });
    }
    expect(results.filter((result) => result.status === 'pass').map(key)).toEqual(['160x120', '176x144', '320x240', '640x360']);
    expect(problems()).toEqual([]);
  });

  it("deep test: 640×360 frames from the file at its 30 fps, not black", async () => {
    const { page, problems } = await openCamera(browser);
    await chooseSizes(page, ['640x360']);
    const { results } = await runPass(page, 'Deep test');
    expect(results).toHaveLength(1);
    const frames = results[0]?.frames;
    expect(results[0]).toMatchObject({ status: 'pass', code: 'NATIVE' });
    expect([frames?.frameWidth, frames?.frameHeight]).toEqual([640, 360]);
    expect(frames?.fps).toBeGreaterThan(20);
    expect(frames?.fps).toBeLessThan(32);
    expect(frames?.blackFrames).toBe(0);
    expect(problems()).toEqual([]);
  });
});

describe('failures explained on the page', TEST_TIMEOUT, () => {
  let noCamera: Browser;
  let promptDenied: Browser;
  beforeAll(async () => {
    // No fake device and no camera on the machine; and a fake device whose permission prompt headless
    // Chromium answers with a refusal (no --use-fake-ui-for-media-stream).
    [noCamera, promptDenied] = await Promise.all([
      launchChromium({ fakeMedia: false }),
      launchChromium({ fakeMedia: false, extraArgs: ['--use-fake-device-for-media-stream'] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([noCamera?.close(), promptDenied?.close()]);
  });

  it('no camera: the scan stops with "No camera found" and what to do', async () => {
    const { page } = await openCamera(noCamera, { ignoreConsoleErrors: [/No camera found|Quick scan stopped/] });
    const { pass, results } = await runPass(page, 'Quick scan');
    expect(pass.outcome).toBe('failed');
    expect(results).toEqual([]);
    const alert = page.getByRole('alert');
    // The probe asks for the camera alone, so the explanation names only the camera.
    await expect.poll(() => alert.innerText()).toContain('No camera found');
    expect(await alert.innerText()).toContain('DEVICE_NOT_FOUND');
    expect(await alert.innerText()).not.toContain('microphone');
  });

  it('permission denied: the scan stops with the explanation and how to allow the camera', async () => {
    const { page } = await openCamera(promptDenied, { ignoreConsoleErrors: [/access denied|Quick scan stopped/] });
    const { pass } = await runPass(page, 'Quick scan');
    expect(pass.outcome).toBe('failed');
    const alert = page.getByRole('alert');
    // The probe asks for the camera alone, so the explanation names only the camera.
    await expect.poll(() => alert.innerText()).toContain('Camera access denied');
    expect(await alert.innerText()).toContain('PERMISSION_DENIED');
  });
});

// Issue 16: the probe in Chinese, driven by its Chinese control names; the table, summary, log
// and reasons read in Chinese, with codes, API names and sizes as they are.
describe('the camera probe in Chinese (?lang=zh)', TEST_TIMEOUT, () => {
  let browser: Browser;
  let denied: Browser;
  beforeAll(async () => {
    [browser, denied] = await Promise.all([launchChromium(), launchChromium({ fakeMedia: false, extraArgs: ['--use-fake-device-for-media-stream'] })]);
  });
  afterAll(async () => {
    await Promise.all([browser?.close(), denied?.close()]);
  });

  async function openChinese(on: Browser, options: Parameters<typeof openPage>[2] = {}): Promise<OpenedPage> {
    const opening = await openPage(on, workbench.urlFor('/diagnostics/camera/?lang=zh'), options);
    opened.push(opening);
    await opening.page.getByRole('heading', { level: 1, name: shell.page_camera_title }).waitFor({ timeout: PAGE_TIMEOUT_MS });
    await opening.page.waitForFunction(() => (window as ProbeWindow).cameraProbe !== undefined, undefined, { timeout: PAGE_TIMEOUT_MS });
    return opening;
  }

  /** Clicks a pass's button by its Chinese name and waits until the pass has ended. */
  async function runChinesePass(page: Page, name: string): Promise<PassRecord | undefined> {
    const before = await page.evaluate(() => (window as ProbeWindow).cameraProbe?.passes.length ?? 0);
    await page.getByRole('button', { name, exact: true }).click();
    await page.waitForFunction((count) => ((window as ProbeWindow).cameraProbe?.passes.length ?? 0) > count, before, { timeout: PASS_TIMEOUT_MS });
    return page.evaluate(() => (window as ProbeWindow).cameraProbe?.passes.at(-1));
  }

  it('quick scan by its Chinese name: the results table, summary and log in Chinese, no English left', async () => {
    const { page, problems } = await openChinese(browser);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await page.getByRole('button', { name: zh.camera_no_sizes, exact: true }).click();
    for (const size of ['640x480', '1280x720', '640x360']) {
      const [width, height] = size.split('x');
      await page.getByRole('checkbox', { name: new RegExp(`^${width}×${height} `) }).check();
    }
    await page.getByLabel(zh.camera_custom_sizes).fill('4096x2160');
    expect(await runChinesePass(page, zh.camera_quick_scan)).toMatchObject({ pass: 'quick', outcome: 'finished', sizes: 4 });

    const table = page.getByRole('region', { name: zh.camera_results_table });
    await expect.poll(() => table.locator('tbody tr[data-size]').count()).toBe(4);
    expect(await table.locator('thead th').allInnerTexts()).toEqual(
      expect.arrayContaining([zh.camera_col_size, zh.camera_col_result, zh.camera_col_mode, zh.camera_col_reason]),
    );
    const row = (size: string) => table.locator(`tr[data-size="${size}"]`);
    expect(await row('1280x720').locator('td').allInnerTexts()).toEqual(expect.arrayContaining([zh.camera_status_pass, zh.camera_mode_native, '1280×720']));
    expect(await row('640x360').locator('td').allInnerTexts()).toEqual(expect.arrayContaining([zh.camera_status_pass, zh.camera_mode_scaled]));
    expect(await row('1280x720').locator('td.reason').innerText()).toBe('NATIVE 摄像头自身就能输出 1280×720（resizeMode 为 "none"）：浏览器没有做缩放。');
    expect(await row('4096x2160').locator('td.status').innerText()).toBe(zh.camera_status_fail);
    expect(await row('4096x2160').locator('td.reason').innerText()).toContain('OUT_OF_RANGE 未请求：getCapabilities() 表明这个摄像头的宽度范围是 1–3840');
    expect(await page.getByText('通过 3 个（其中原生 2 个），失败 1 个。').count()).toBe(1);
    await expect.poll(() => page.getByRole('log').innerText()).toContain('快速扫描完成');
    expect(await englishLeft(page, ['main'])).toEqual([]);
    expect(problems()).toEqual([]);
  });

  it('camera denied: the scan stops, and the page and log say so in Chinese', async () => {
    const { page } = await openChinese(denied, { ignoreConsoleErrors: [/快速扫描已停止/] });
    expect(await runChinesePass(page, zh.camera_quick_scan)).toMatchObject({ outcome: 'failed' });
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('PERMISSION_DENIED');
    await expect.poll(() => page.getByRole('log').innerText()).toContain('快速扫描已停止');
    expect(await page.locator('.badge').filter({ hasText: zh.camera_idle }).count()).toBe(1);
    expect(await englishLeft(page, ['main'])).toEqual([]);
  });
});
