/**
 * Serves the two built apps and nothing else. The codelab's server handed out its own directory
 * (index.js with it); here every path is decoded once, refused if it tries to climb (`..`, `%2e%2e`,
 * NUL, backslash) and then checked, after symlinks are resolved, to lie inside a dist directory.
 *
 * Each app is built once per language (English at the root of its dist, Chinese in `zh-CN/`). A
 * page's address is the same in both: `/call/` is answered with the build for the reader's
 * language (`?lang=`, then the saved choice, then `Accept-Language`), so a page loads only its own
 * language's text. `/zh-CN/call/` names the Chinese build outright.
 */
import { createReadStream, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import {
  LOCALES,
  SAVED_LOCALE_KEY,
  cookieValue,
  languagesFromAcceptLanguage,
  localeDirectory,
  resolveLocale,
  savedLocaleCookie,
  type Locale,
} from '@workbench/i18n/locale';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.webm': 'video/webm',
  '.mp4': 'video/mp4',
  // Raw YUV4MPEG2 video, what Chrome's --use-file-for-fake-video-capture reads.
  '.y4m': 'video/x-yuv4mpeg',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
};

export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/** One built app and the URL prefix it lives under. */
export interface StaticSite {
  /** `'/'` or a prefix ending in `/`, e.g. `'/diagnostics/'`. */
  prefix: string;
  root: string;
  /** For the 503 page: which workspace to build. */
  workspace: string;
}

export type StaticPathResult =
  | { kind: 'file'; site: StaticSite; relativePath: string; query: string; rawPath: string; directoryUrl: boolean }
  | { kind: 'redirect'; location: string }
  | { kind: 'bad-request' }
  | { kind: 'not-found' };

/**
 * Maps a raw request target to a site and a path inside it, refusing anything that could climb
 * out. Sites are matched longest prefix first.
 */
export function resolveStaticPath(rawUrl: string, sites: readonly StaticSite[]): StaticPathResult {
  const queryAt = rawUrl.search(/[?#]/);
  const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  const query = queryAt === -1 ? '' : rawUrl.slice(queryAt).split('#')[0] ?? '';
  if (!rawPath.startsWith('/')) return { kind: 'bad-request' };

  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { kind: 'bad-request' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { kind: 'bad-request' };
  const segments = decoded.split('/');
  if (segments.some((segment) => segment === '..' || segment === '.')) return { kind: 'bad-request' };
  // Dotfiles (.env, .git, .vite) are never part of what the apps publish.
  if (segments.some((segment) => segment.startsWith('.'))) return { kind: 'not-found' };

  const ordered = [...sites].sort((a, b) => b.prefix.length - a.prefix.length);
  for (const site of ordered) {
    const bare = site.prefix.replace(/\/$/, '');
    if (bare !== '' && decoded === bare) {
      return { kind: 'redirect', location: site.prefix + query };
    }
    if (decoded.startsWith(site.prefix)) {
      return {
        kind: 'file',
        site,
        relativePath: decoded.slice(site.prefix.length),
        query,
        rawPath,
        directoryUrl: decoded.endsWith('/'),
      };
    }
  }
  return { kind: 'not-found' };
}

function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(sep) ? root : root + sep);
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function sendHtmlPage(res: ServerResponse, status: number, title: string, bodyHtml: string, head = false): void {
  const html =
    `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>${escapeHtml(title)}</title><body style="font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem">` +
    `<h1>${escapeHtml(title)}</h1>${bodyHtml}</body></html>\n`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
  });
  res.end(head ? undefined : html);
}

function notFound(res: ServerResponse, head: boolean): void {
  sendHtmlPage(res, 404, 'Not found', '<p>There is no page here. Start from <a href="/">the steps index</a>.</p>', head);
}

function notBuilt(res: ServerResponse, site: StaticSite, head: boolean): void {
  sendHtmlPage(
    res,
    503,
    'App not built yet',
    `<p>The ${escapeHtml(site.workspace)} app has no build output to serve. ` +
      `Run <code>npm run build</code> in the repository root (or <code>npm start</code>, which builds first), ` +
      `then reload this page.</p>`,
    head,
  );
}

/** Vite names everything under assets/ (or zh-CN/assets/) by content hash, so those never change under a URL. */
function cacheControlFor(relativePath: string, contentType: string): string {
  if (contentType.startsWith('text/html')) return 'no-cache';
  if (/^([\w-]+\/)?assets\//.test(relativePath)) return 'public, max-age=31536000, immutable';
  return 'no-cache';
}

/** The language a path names outright (`zh-CN/call/`), if it starts with a language directory. */
function localeInPath(relativePath: string): Locale | undefined {
  return LOCALES.find((locale) => {
    const directory = localeDirectory(locale);
    return directory !== undefined && (relativePath === directory || relativePath.startsWith(`${directory}/`));
  });
}

/**
 * The language a page request is answered in, and whether it came from `?lang=` (then it is
 * saved in a cookie for the next page): the same order as the pages' own resolver.
 */
export function requestLocale(req: Pick<IncomingMessage, 'headers'>, query: string): { locale: Locale; fromQuery: boolean } {
  const { locale, source } = resolveLocale({
    search: query,
    saved: cookieValue(req.headers.cookie, SAVED_LOCALE_KEY),
    languages: languagesFromAcceptLanguage(req.headers['accept-language']),
  });
  return { locale, fromQuery: source === 'query' };
}

export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  rawUrl: string,
  sites: readonly StaticSite[],
): Promise<void> {
  const head = req.method === 'HEAD';
  const resolved = resolveStaticPath(rawUrl, sites);
  if (resolved.kind === 'bad-request') {
    sendHtmlPage(res, 400, 'Bad request', '<p>That path is not allowed.</p>', head);
    return;
  }
  if (resolved.kind === 'not-found') return notFound(res, head);
  if (resolved.kind === 'redirect') {
    res.writeHead(301, { Location: resolved.location, 'Content-Length': 0 });
    res.end();
    return;
  }

  const { site } = resolved;
  let realRoot: string;
  try {
    realRoot = await realpath(site.root);
  } catch {
    return notBuilt(res, site, head);
  }
  if (!(await statOrUndefined(join(realRoot, 'index.html')))?.isFile()) return notBuilt(res, site, head);

  // A page (a directory URL or an .html file) outside a language directory is answered in the
  // reader's language, from that language's build when it has one.
  const isPage = resolved.directoryUrl || extname(resolved.relativePath) === '' || extname(resolved.relativePath) === '.html';
  const named = localeInPath(resolved.relativePath);
  const chosen = isPage && named === undefined ? requestLocale(req, resolved.query) : undefined;
  const pageLocale = named ?? chosen?.locale;
  const directory = chosen === undefined ? undefined : localeDirectory(chosen.locale);
  let relativePath = resolved.relativePath;
  if (directory !== undefined && (await statOrUndefined(join(realRoot, directory, relativePath))) !== undefined) {
    relativePath = join(directory, relativePath);
  }

  let filePath: string;
  try {
    filePath = await realpath(join(realRoot, relativePath));
  } catch {
    return notFound(res, head);
  }
  if (!isInside(realRoot, filePath)) return notFound(res, head);

  let stats = await statOrUndefined(filePath);
  // `/main.js/` names a directory that does not exist.
  if (resolved.directoryUrl && stats?.isFile()) return notFound(res, head);
  if (stats?.isDirectory()) {
    if (!resolved.directoryUrl) {
      // Relative links in the page (./main.js) only resolve right from the directory URL.
      const location = '/' + resolved.rawPath.replace(/^\/+/, '') + '/' + resolved.query;
      res.writeHead(301, { Location: location, 'Content-Length': 0 });
      res.end();
      return;
    }
    try {
      filePath = await realpath(join(filePath, 'index.html'));
    } catch {
      return notFound(res, head);
    }
    if (!isInside(realRoot, filePath)) return notFound(res, head);
    stats = await statOrUndefined(filePath);
  }
  if (stats === undefined || !stats.isFile()) return notFound(res, head);

  const contentType = contentTypeFor(filePath);
  const localeTag = chosen === undefined ? '' : `-${chosen.locale}`;
  const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}${localeTag}"`;
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    'Cache-Control': cacheControlFor(relativePath, contentType),
    ETag: etag,
    'Last-Modified': stats.mtime.toUTCString(),
  };
  if (contentType.startsWith('text/html') && pageLocale !== undefined) {
    headers['Content-Language'] = pageLocale;
    // The same URL is a different page per language: caches must key on what chose it.
    if (chosen !== undefined) headers['Vary'] = 'Cookie, Accept-Language';
    if (chosen?.fromQuery) headers['Set-Cookie'] = savedLocaleCookie(chosen.locale);
  }
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': stats.size });
  if (head) {
    res.end();
    return;
  }
  const stream = createReadStream(filePath);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
