/**
 * Everything on the HTTP port that is not socket.io: health, ICE configuration and the two built
 * apps. Plain node:http, because three routes and a file server do not need a framework.
 */
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
  logger: Logger;
}

/** Sent with every response: pages may use camera and microphone, but only their own origin. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Permissions-Policy': 'camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=()',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'SAMEORIGIN',
};

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

export function createRequestHandler(context: RequestHandlerContext): (req: IncomingMessage, res: ServerResponse) => void {
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
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
    if (path === '/api/ice-servers') return sendJson(res, 200, context.iceServers(), head);
    if (path === '/metrics' && context.metrics !== undefined) {
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
