/**
 * Photo benchmark: a 640×480 photo and a 5 MiB payload between two pages (two browser contexts,
 * so two renderer processes, as two users would be), each on a fresh channel (its first transfer)
 * and on a warm one (the next transfer on the same channel), the workbench's way against the
 * codelab's, alternating in one run. Time = sender starts (before drawImage) → receiver has the
 * photo on screen (or all payload bytes), on the shared in-page clock.
 */
import { benchContext, summarise } from './lib.mjs';
import { BENCH_PREFIX } from './lib.mjs';

export const PAYLOAD_BYTES = 5 * 1024 * 1024;
const PHOTO = { width: 640, height: 480 };
const METHODS = ['workbench', 'codelab'];
const KINDS = ['photo', 'payload'];

async function connect(sender, receiver, method) {
  const offer = await sender.evaluate((m) => window.photoBench.offer(m), method);
  const answer = await receiver.evaluate(([m, sdp]) => window.photoBench.answer(m, sdp), [method, offer]);
  await sender.evaluate((sdp) => window.photoBench.accept(sdp), answer);
  await receiver.evaluate(() => window.photoBench.opened());
}

async function transfer(sender, receiver, method, kind) {
  const [received, sent] = await Promise.all([
    receiver.evaluate(() => window.photoBench.nextReceived()),
    sender.evaluate(([m, k]) => window.photoBench.send(m, k), [method, kind]),
  ]);
  if (received.error) throw new Error(`${method} ${kind}: the receiver failed: ${received.error}`);
  if (received.bytes !== sent.bytes) throw new Error(`${method} ${kind}: sent ${sent.bytes} bytes, received ${received.bytes}`);
  if (sent.sha256 && received.sha256 !== sent.sha256) throw new Error(`${method} ${kind}: hash mismatch`);
  if (kind === 'photo' && (received.size?.width !== PHOTO.width || received.size?.height !== PHOTO.height)) {
    throw new Error(`${method} photo arrived as ${JSON.stringify(received.size)}, expected ${PHOTO.width}×${PHOTO.height}`);
  }
  return { ms: received.at - sent.startedAt, bytes: sent.bytes, peakBufferedAmount: sent.peakBufferedAmount };
}

/**
 * @param {import('playwright-core').Browser} browser
 * @param {{ url: (path: string) => string, benchPages: object, runs: number, log: (line: string) => void }} options
 */
export async function benchPhoto(browser, { url, benchPages, runs, log }) {
  const contexts = [await benchContext(browser, benchPages), await benchContext(browser, benchPages)];
  try {
    const [sender, receiver] = await Promise.all(contexts.map((c) => c.newPage()));
    await Promise.all([sender, receiver].map((p) => p.goto(url(`${BENCH_PREFIX}photo.html`))));
    await sender.waitForFunction(() => window.photoBench !== undefined);
    await receiver.waitForFunction(() => window.photoBench !== undefined);
    const camera = await sender.evaluate(([w, h]) => window.photoBench.startCamera(w, h), [PHOTO.width, PHOTO.height]);
    if (camera.width !== PHOTO.width || camera.height !== PHOTO.height) {
      throw new Error(`the fake camera delivers ${camera.width}×${camera.height}, not ${PHOTO.width}×${PHOTO.height}`);
    }
    await receiver.evaluate((size) => window.photoBench.expectPhoto(size), PHOTO);
    await sender.evaluate((n) => window.photoBench.preparePayload(n), PAYLOAD_BYTES);

    const times = {};
    const details = {};
    for (const method of METHODS) for (const kind of KINDS) for (const phase of ['fresh', 'warm']) {
      times[`${method}.${kind}.${phase}`] = [];
    }
    // One warm-up connection per method so neither pays for first-use costs (JIT, codec init).
    for (const method of METHODS) {
      await connect(sender, receiver, method);
      await transfer(sender, receiver, method, 'photo');
    }
    for (let run = 0; run < runs; run++) {
      for (const method of run % 2 ? [...METHODS].reverse() : METHODS) {
        for (const kind of KINDS) {
          await connect(sender, receiver, method);
          const fresh = await transfer(sender, receiver, method, kind);
          const warm = await transfer(sender, receiver, method, kind);
          times[`${method}.${kind}.fresh`].push(fresh.ms);
          times[`${method}.${kind}.warm`].push(warm.ms);
          details[`${method}.${kind}`] = { bytes: fresh.bytes, peakBufferedAmount: Math.max(fresh.peakBufferedAmount ?? 0, warm.peakBufferedAmount ?? 0, details[`${method}.${kind}`]?.peakBufferedAmount ?? 0) };
        }
      }
      log(`  photo run ${run + 1}/${runs}: ${Object.entries(times).map(([k, v]) => `${k}=${v.at(-1).toFixed(0)}`).join(' ')}`);
    }
    const results = {};
    for (const [key, values] of Object.entries(times)) results[key] = summarise(values);
    return { camera, payloadBytes: PAYLOAD_BYTES, details, times: results };
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
}
