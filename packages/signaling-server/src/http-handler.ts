/**
 * Everything on the HTTP port that is not socket.io: health, ICE configuration and the two built
 * apps. Plain node:http, because three routes and a file server do not need a framework. The
 * security headers are set before this runs, by the request gate (request-gate.ts), on every response.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IceServersResponse } from './ice-servers.js';
import type { Logger } from './logger.js';
import { METRICS_CONTENT_TYPE } from './metrics.js';
import { sendHtmlPage, serveStatic, type StaticSite } from './static-files.js';

export interface HealthReport {
  /** `false` (answered with 503) while the server cannot do its job, e.g. Redis is unreachable. */
  ok: boolean;
  /** Why not, when `ok` is false. */
  reason?: string;
  /** Rooms with at least one member. */
  rooms: number;
  /** Connected socket.io clients, in a room or not. */
  clients: number;
  uptimeSeconds: number;
}

export interface RequestHandlerContext {
  sites: readonly StaticSite[];
  health: () => HealthReport;
  iceServers: () => IceServersResponse;
  /** Prometheus exposition text for `GET /metrics`. */
  metrics?: () => string;
  /**
   * Who may read `/metrics`: with a token, whoever sends `Authorization: Bearer <token>`; without
   * one, only clients on this machine (loopback), since the counters describe everyone's traffic.
   */
  metricsToken?: string | undefined;
  /** Who sent `req`: the connection's address, or the client a trusted proxy forwards for. */
  clientAddress: (req: IncomingMessage) => string;
  /** False when this address has asked for ICE servers too often (each answer may mint TURN credentials). */
  admitIceServers?: (req: IncomingMessage) => boolean;
  logger: Logger;
}

function sendJson(res: ServerResponse, status: number, body: unknown, head: boolean): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    // ICE answers carry short-lived TURN credentials; health is live. Neither may be cached.
    'Cache-Control': 'no-store',
  });
  res.end(head ? undefined : json);
}

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || /^(::ffff:)?127\./.test(address));
}

/** Why `/metrics` is not answered to `req`, or undefined when it is. */
function metricsRefusal(req: IncomingMessage, token: string | undefined, clientAddress: string): { status: number; message: string } | undefined {
  if (token !== undefined) {
    const presented = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    if (presented !== undefined && safeEqual(presented, token)) return undefined;
    return { status: 401, message: '/metrics needs the metrics token: send Authorization: Bearer <token>.' };
  }
  // The client's address, not the connection's: behind a proxy on this machine every request
  // would otherwise be "from loopback", and /metrics open to anyone who reaches the proxy.
  if (isLoopback(clientAddress)) return undefined;
  return { status: 403, message: '/metrics is answered only on this machine; start the server with --metrics-token to read it from elsewhere.' };
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function createRequestHandler(context: RequestHandlerContext): (req: IncomingMessage, res: ServerResponse) => void {
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.setHeader('Allow', 'GET, HEAD');
      sendHtmlPage(res, 405, 'Method not allowed', '<p>This server only answers GET and HEAD here.</p>');
      return;
    }
    const url = req.url ?? '/';
    const path = url.split(/[?#]/, 1)[0];
    if (path === '/healthz') {
      const report = context.health();
      return sendJson(res, report.ok ? 200 : 503, report, head);
    }
    if (path === '/api/ice-servers') {
      if (context.admitIceServers !== undefined && !context.admitIceServers(req)) {
        res.setHeader('Retry-After', '1');
        return sendJson(res, 429, { error: { code: 'RATE_LIMITED', message: 'Too many ICE server requests from this address; wait a moment and try again.' } }, head);
      }
      return sendJson(res, 200, context.iceServers(), head);
    }
    if (path === '/metrics' && context.metrics !== undefined) {
      const refused = metricsRefusal(req, context.metricsToken, context.clientAddress(req));
      if (refused !== undefined) {
        if (refused.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        return sendJson(res, refused.status, { error: { code: 'FORBIDDEN', message: refused.message } }, head);
      }
      const text = context.metrics();
      res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
      res.end(head ? undefined : text);
      return;
    }
    await serveStatic(req, res, url, context.sites);
  };

  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      context.logger.error(`${req.method ?? '?'} request failed`, error);
      if (!res.headersSent) sendHtmlPage(res, 500, 'Server error', '<p>Something went wrong; the server log says what.</p>');
      else res.destroy();
    });
  };
}
