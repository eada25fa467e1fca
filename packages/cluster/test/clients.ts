/**
 * Real socket.io clients, each from its own loopback address (the whole of 127.0.0.0/8 is this
 * machine on Linux), which is what nginx's stickiness keys on; and the server processes' JSON log
 * lines, which say which process took which client.
 */
import type { ClientToServerEvents, JoinResult, ServerToClientEvents } from '@workbench/core/protocol';
import { Agent } from 'node:http';
import { io, type Socket } from 'socket.io-client';

import { httpGet, type Cluster, type ClusterOptions, type ServerProcess } from '../src/cluster.js';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ConnectOptions {
  /** Default 'websocket'. */
  transport?: 'websocket' | 'polling';
  /** Headers the client itself sends, e.g. a forged X-Forwarded-For. */
  extraHeaders?: Record<string, string>;
  /** A self-signed certificate to trust. */
  ca?: string;
}

export interface Connection {
  socket: Client;
  connected: boolean;
  /** connect_error's message (and, for polling, the HTTP status and body that caused it). */
  error?: string;
  /** Every 'message' relayed to this client: [payload text, sender id]. */
  received: [string, string][];
}

/** `address`: the loopback source address (127.x.y.z) this client connects from. */
export function connectFrom(url: string, address: string, options: ConnectOptions = {}): Promise<Connection> {
  const transport = options.transport ?? 'websocket';
  const socket: Client = io(url, {
    forceNew: true,
    reconnection: false,
    transports: [transport],
    // WebSocket: engine.io-client hands localAddress to ws. Polling: its XHR takes an http.Agent,
    // whose connections then all leave from this address.
    ...(transport === 'websocket' ? { localAddress: address } : { agent: new Agent({ localAddress: address, keepAlive: true }) }),
    ...(options.extraHeaders !== undefined ? { extraHeaders: options.extraHeaders } : {}),
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
    timeout: 10_000,
  } as Parameters<typeof io>[1]);
  const received: [string, string][] = [];
  socket.on('message', (payload, from) => received.push([typeof payload === 'object' && payload.type === 'text' ? payload.text : JSON.stringify(payload), from]));
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket, connected: true, received }));
    socket.once('connect_error', (error: Error & { description?: unknown; context?: { status?: number; responseText?: string } }) => {
      const context = error.context;
      const http = context?.status !== undefined ? ` (HTTP ${context.status}: ${context.responseText ?? ''})` : '';
      resolve({ socket, connected: false, error: `${error.message}${http}`, received });
    });
  });
}

export function join(socket: Client, room: string, timeoutMs = 10_000): Promise<JoinResult> {
  return socket.timeout(timeoutMs).emitWithAck('create or join', room);
}

/** Polls `predicate` until it holds; the failure names what was awaited. */
export async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** `count` distinct loopback addresses 127.<second>.<third>.1…, spilling into the next /24 after 250. */
export function loopbackAddresses(count: number, second = 0, firstThird = 1): string[] {
  return Array.from({ length: count }, (_, i) => `127.${second}.${firstThird + Math.floor(i / 250)}.${1 + (i % 250)}`);
}

/** What the server processes printed, kept per process so a test can ask who logged what. */
export class ServerLogs {
  readonly #lines = new Map<number, string[]>();

  /** Pass as ClusterOptions.onServerLine. */
  readonly collect: NonNullable<ClusterOptions['onServerLine']> = (processNumber, line) => {
    const lines = this.#lines.get(processNumber) ?? [];
    lines.push(line);
    this.#lines.set(processNumber, lines);
  };

  /** The JSON log records of one process. */
  records(processNumber: number): Record<string, unknown>[] {
    return (this.#lines.get(processNumber) ?? []).filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Every record matching `predicate`, with the number of the process that logged it. */
  find(cluster: Cluster, predicate: (record: Record<string, unknown>) => boolean): { process: number; record: Record<string, unknown> }[] {
    return cluster.processes.flatMap((p: ServerProcess) => this.records(p.number).filter(predicate).map((record) => ({ process: p.number, record })));
  }

  /** Which process logged `client`'s join of `room` (the server logs every join with both). */
  joinedOn(cluster: Cluster, room: string, client: string): number[] {
    return this.find(cluster, (r) => r.event === 'join' && r.room === room && r.client === client).map((found) => found.process);
  }
}

/**
 * The process nginx sends `address` to, by nginx's own access log: a request from that address, and
 * the upstream it went to. Stickiness sends every later connection from there to the same one.
 */
export async function processFor(cluster: Cluster, address: string): Promise<number> {
  const probe = `/healthz?from=${address}`;
  const answer = await httpGet(`${cluster.url}${probe}`, { localAddress: address });
  if (answer.status !== 200) throw new Error(`GET ${probe} through nginx answered ${answer.status}`);
  // nginx writes its access log line after the response has gone out, so the client can read the
  // answer before the line is there: wait for it (a loaded CI machine once read it too early).
  const logged = () => cluster.nginx.accessLog().find((e) => e.uri === probe);
  await until(() => logged() !== undefined, 5000, `nginx's access log line for ${probe}`);
  const entry = logged();
  const found = cluster.processes.find((p) => entry?.upstreams[0] === `127.0.0.1:${p.port}`);
  if (found === undefined) throw new Error(`nginx logged no process for ${address}: ${JSON.stringify(entry)}`);
  return found.number;
}
