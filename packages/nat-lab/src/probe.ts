#!/usr/bin/env node
/**
 * A small network probe the lab runs inside a namespace (`ip netns exec <ns> node dist/probe.js
 * '<json>'`): Node cannot switch its own network namespace, so readiness checks and the NAT
 * self-check run as their own process. Prints one line of JSON and exits 0, or prints the reason
 * and exits 1.
 *
 *   {"kind":"stun","targets":[{"host":"203.0.113.10","port":3478},…],"timeoutMs":1500}
 *       → {"mapped":["203.0.113.20:40000", null]}   one UDP socket asks every target
 *   {"kind":"http","url":"http://203.0.113.10:8080/healthz","timeoutMs":2000}
 *       → {"status":200,"body":"…"}
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

// Only the STUN module, not the harness's index: that pulls in Playwright and the server, and this
// process starts for every probe.
import { decodeBindingResponse, encodeBindingRequest } from '@workbench/testing/stun';

export type ProbeRequest =
  | { kind: 'stun'; targets: { host: string; port: number }[]; timeoutMs: number }
  | { kind: 'http'; url: string; timeoutMs: number };

export interface StunProbeAnswer {
  /** `address:port` each target saw, in order; null where it did not answer in time. */
  mapped: (string | null)[];
}

export interface HttpProbeAnswer {
  status: number;
  body: string;
}

async function stunProbe(request: Extract<ProbeRequest, { kind: 'stun' }>): Promise<StunProbeAnswer> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, () => resolve());
  });
  try {
    // All targets at once, from the one socket: each answer is matched by its transaction id.
    const mapped = await Promise.all(
      request.targets.map((target) => {
        const id = randomBytes(12);
        return new Promise<string | null>((resolve) => {
          const timer = setTimeout(() => done(null), request.timeoutMs);
          const onMessage = (message: Buffer) => {
            try {
              const address = decodeBindingResponse(message, id);
              done(`${address.address}:${address.port}`);
            } catch {
              // Another transaction's answer, or not STUN: keep waiting.
            }
          };
          // UDP may lose the first request while a conntrack entry is made; three tries in the budget.
          const send = () => socket.send(encodeBindingRequest(id), target.port, target.host);
          const resend = setInterval(send, Math.max(100, Math.floor(request.timeoutMs / 3)));
          function done(value: string | null): void {
            clearTimeout(timer);
            clearInterval(resend);
            socket.off('message', onMessage);
            resolve(value);
          }
          socket.on('message', onMessage);
          send();
        });
      }),
    );
    return { mapped };
  } finally {
    socket.close();
  }
}

async function httpProbe(request: Extract<ProbeRequest, { kind: 'http' }>): Promise<HttpProbeAnswer> {
  const response = await fetch(request.url, { signal: AbortSignal.timeout(request.timeoutMs) });
  return { status: response.status, body: (await response.text()).slice(0, 2000) };
}

export function parseProbeRequest(text: string | undefined): ProbeRequest {
  if (text === undefined) throw new TypeError('probe: pass the request as one JSON argument');
  const value = JSON.parse(text) as Partial<ProbeRequest>;
  const timeoutMs = value.timeoutMs;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0 && timeoutMs <= 30_000)) throw new TypeError('probe: timeoutMs must be a number in (0, 30000]');
  if (value.kind === 'stun' && Array.isArray(value.targets) && value.targets.every((t) => typeof t?.host === 'string' && Number.isInteger(t?.port))) {
    return { kind: 'stun', targets: value.targets, timeoutMs };
  }
  if (value.kind === 'http' && typeof value.url === 'string' && /^https?:\/\//.test(value.url)) return { kind: 'http', url: value.url, timeoutMs };
  throw new TypeError(`probe: not a stun or http request: ${text}`);
}

async function main(): Promise<void> {
  const request = parseProbeRequest(process.argv[2]);
  const answer = request.kind === 'stun' ? await stunProbe(request) : await httpProbe(request);
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
