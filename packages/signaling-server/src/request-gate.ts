/**
 * The first thing every HTTP request and WebSocket upgrade meets, before the file server and before
 * engine.io: the Host check (DNS rebinding), the Origin check on every engine.io request (not only
 * its handshake), JSONP refused, and the security headers on every response, socket.io's client
 * script included.
 *
 * It wraps the listeners the HTTP server already has, so it must be installed after socket.io has
 * attached (engine.io and socket.io's client server each replace the `request` listeners with
 * their own dispatcher; this gate goes in front of theirs).
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { hostname, networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';

/**
 * What the built apps need and nothing more: their own scripts (no inline script in either build),
 * inline styles (Svelte sets style attributes), camera/canvas/blob media, and sockets to this server.
 * The codelab's pages load adapter.js from webrtc.github.io, so that one origin may serve scripts.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' https://webrtc.github.io",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

/** Sent with every response: pages may use camera and microphone, but only their own origin. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Permissions-Policy': 'camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=()',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'SAMEORIGIN',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
};

/** engine.io's own path, except socket.io's client script, which codelab pages load from any origin. */
const ENGINE_PATH = /^\/socket\.io\//;
const CLIENT_SCRIPT = /^\/socket\.io\/socket\.io(\.[a-z]+)*\.js(\.map)?$/;

/** The name part of a Host header, lower-cased: `example.com`, `127.0.0.1`, `[::1]`. */
export function hostName(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** `[fe80::1]` for an IPv6 address, as it appears in a URL's host. */
function asUrlHost(address: string): string {
  return address.includes(':') ? `[${address.replace(/%.*$/, '').toLowerCase()}]` : address.toLowerCase();
}

/**
 * The names a browser may use for this server. A DNS-rebinding page runs under its own name
 * (`rebind.example`) pointed at this machine, so the browser sends that name as Host: refusing
 * names this server does not answer to is what stops it. Addresses of this machine are fine (a page
 * under an IP address has that address as its origin); other names must be given with --public-host.
 */
export class AllowedHosts {
  readonly #names = new Set(['localhost', '127.0.0.1', '[::1]']);
  #interfacesReadAt = 0;

  constructor(boundHost: string, publicHosts: readonly string[]) {
    if (boundHost !== '0.0.0.0' && boundHost !== '::' && boundHost !== '') this.#names.add(asUrlHost(boundHost));
    const machine = hostname().toLowerCase();
    this.#names.add(machine);
    this.#names.add(`${machine}.local`);
    for (const name of publicHosts) {
      const parsed = hostName(name);
      if (parsed !== undefined) this.#names.add(parsed);
    }
    this.#readInterfaces();
  }

  /** This machine's addresses, re-read at most every 10 s (a laptop changes Wi-Fi). */
  #readInterfaces(): void {
    this.#interfacesReadAt = Date.now();
    for (const entries of Object.values(networkInterfaces())) {
      for (const entry of entries ?? []) this.#names.add(asUrlHost(entry.address));
    }
  }

  allows(host: string | undefined): boolean {
    // HTTP/1.0 clients and raw scripts may omit Host; browsers never do, and rebinding needs a browser.
    if (host === undefined || host === '') return true;
    const name = hostName(host);
    if (name === undefined) return false;
    if (this.#names.has(name) || name.endsWith('.localhost')) return true;
    if (Date.now() - this.#interfacesReadAt > 10_000) {
      this.#readInterfaces();
      return this.#names.has(name);
    }
    return false;
  }
}

export interface Refusal {
  status: number;
  message: string;
  /** Label for the log and `signaling_rejections_total`. */
  reason: 'host' | 'origin' | 'jsonp';
}

export interface RequestGateOptions {
  hosts: AllowedHosts;
  isOriginAllowed(req: IncomingMessage): boolean;
  onRefused(req: IncomingMessage, refusal: Refusal): void;
}

/** Why `req` may not go on, or undefined when it may. */
export function checkRequest(req: IncomingMessage, options: RequestGateOptions): Refusal | undefined {
  if (!options.hosts.allows(req.headers.host)) {
    return {
      status: 421,
      reason: 'host',
      message: `This server does not answer to the name "${req.headers.host ?? ''}". If that name is yours, start the server with --public-host ${hostName(req.headers.host ?? '') ?? '<name>'}.`,
    };
  }
  const url = req.url ?? '/';
  const path = url.split('?', 1)[0] ?? '/';
  if (!ENGINE_PATH.test(path) || CLIENT_SCRIPT.test(path)) return undefined;
  // JSONP answers are scripts a page on any origin can load and read: a side door round the Origin check.
  if (new URLSearchParams(url.slice(path.length + 1)).has('j')) {
    return { status: 403, reason: 'jsonp', message: 'JSONP polling is not supported: use a socket.io client (WebSocket or XHR polling).' };
  }
  if (!options.isOriginAllowed(req)) {
    return { status: 403, reason: 'origin', message: `Pages from ${String(req.headers.origin)} may not use this server's signaling.` };
  }
  return undefined;
}

function refuseRequest(res: ServerResponse, refusal: Refusal): void {
  const body = `${refusal.message}\n`;
  res.writeHead(refusal.status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  const body = `${refusal.message}\n`;
  const status = refusal.status === 421 ? 'Misdirected Request' : 'Forbidden';
  socket.end(
    `HTTP/1.1 ${refusal.status} ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Puts the gate in front of every `request` and `upgrade` listener `server` has now. */
export function installRequestGate(server: HttpServer | HttpsServer, options: RequestGateOptions): void {
  const requestListeners = server.listeners('request') as RequestListener[];
  const upgradeListeners = server.listeners('upgrade') as UpgradeListener[];
  server.removeAllListeners('request');
  server.removeAllListeners('upgrade');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const refusal = checkRequest(req, options);
    if (refusal !== undefined) {
      options.onRefused(req, refusal);
      refuseRequest(res, refusal);
      return;
    }
    for (const listener of requestListeners) listener.call(server, req, res);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = checkRequest(req, options);
    if (refusal !== undefined) {
      options.onRefused(req, refusal);
      refuseUpgrade(socket, refusal);
      return;
    }
    for (const listener of upgradeListeners) listener.call(server, req, socket, head);
  });
}
