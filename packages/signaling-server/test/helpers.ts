/** Shared pieces of the integration tests: a real server on port 0 and real socket.io clients. */
import type { ClientToServerEvents, ServerToClientEvents } from '@workbench/core/protocol';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { startServer, type RunningServer, type ServerOptions } from '../src/index.js';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface RecordedEvent {
  event: string;
  args: unknown[];
}

/** Writes a fake built app: enough files to exercise routing, content types and caching. */
export async function makeStaticRoots(files: Record<string, string> = {}): Promise<{ base: string; steps: string; diagnostics: string }> {
  const base = await mkdtemp(join(tmpdir(), 'signaling-static-'));
  const steps = join(base, 'steps');
  const diagnostics = join(base, 'diagnostics');
  const all: Record<string, string> = {
    'steps/index.html': '<!doctype html><title>steps index</title>',
    'diagnostics/index.html': '<!doctype html><title>diagnostics index</title>',
    ...files,
  };
  for (const [path, content] of Object.entries(all)) {
    await mkdir(dirname(join(base, path)), { recursive: true });
    await writeFile(join(base, path), content);
  }
  return { base, steps, diagnostics };
}

export interface TestServer extends RunningServer {
  staticBase: string;
  stop(): Promise<void>;
}

export async function startTestServer(options: ServerOptions = {}): Promise<TestServer> {
  const roots = await makeStaticRoots();
  const server = await startServer({
    port: 0,
    logLevel: 'silent',
    staticRoots: { steps: roots.steps, diagnostics: roots.diagnostics },
    ...options,
  });
  return {
    ...server,
    staticBase: roots.base,
    stop: async () => {
      await server.close();
      await rm(roots.base, { recursive: true, force: true });
    },
  };
}

/** A v4 client that records every event it receives, in order. */
export interface RecordingClient {
  socket: Client;
  events: RecordedEvent[];
  /** Events named `name`, their arguments only. */
  of(name: string): unknown[][];
}

export async function connectClient(url: string, options: Parameters<typeof io>[1] = {}): Promise<RecordingClient> {
  const socket: Client = io(url, { forceNew: true, reconnection: false, transports: ['websocket'], ...options });
  const events: RecordedEvent[] = [];
  socket.onAny((event: string, ...args: unknown[]) => events.push({ event, args }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return { socket, events, of: (name) => events.filter((e) => e.event === name).map((e) => e.args) };
}

export function waitForEvent(socket: { once(event: string, listener: (...args: unknown[]) => void): unknown }, event: string, timeoutMs = 5000): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

/** Lets in-flight events arrive, so "exactly once" and "never" are counted over a real interval. */
export function settle(ms = 250): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls until `condition` holds, for counts that arrive over many sockets, or for state only an
 * asynchronous look can read (Redis keys, /metrics).
 */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
