import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startServer, type RunningServer, type ServerOptions } from '@workbench/signaling-server';

import { HarnessError, HarnessErrorCode } from './errors.js';

/** The repository root, from this file's place in packages/testing/{src,dist}/. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The built app directories the server serves by default. */
export const BUILT_APPS = {
  steps: join(REPO_ROOT, 'apps', 'steps', 'dist'),
  diagnostics: join(REPO_ROOT, 'apps', 'diagnostics', 'dist'),
} as const;

export type WorkbenchOptions = ServerOptions;

export interface Workbench {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  host: string;
  port: number;
  /** Absolute URL of a path on this server: `urlFor('/webcam/')`. */
  urlFor(path: string): string;
  /** The running server itself, for tests that inspect rooms or sockets. */
  server: RunningServer;
  close(): Promise<void>;
}

/**
 * Starts the real signaling server on 127.0.0.1, a free port, serving the built apps, with logging
 * off. Any server option can be overridden (e.g. `staticRoots` for a fixture, `iceServers` for coturn).
 * Fails with AppsNotBuilt, and the command to fix it, when an app it would serve has no build.
 */
export async function startWorkbench(options: WorkbenchOptions = {}): Promise<Workbench> {
  const staticRoots = { ...BUILT_APPS, ...options.staticRoots };
  for (const [app, dir] of Object.entries(staticRoots)) {
    if (!existsSync(join(dir, 'index.html'))) {
      throw new HarnessError(
        HarnessErrorCode.AppsNotBuilt,
        `There is no ${join(dir, 'index.html')} to serve as the ${app} app. Build it first: \`npm run build\` (or \`npx turbo run build\`) from the repository root.`,
      );
    }
  }
  const server = await startServer({ host: '127.0.0.1', port: 0, logLevel: 'silent', ...options, staticRoots });
  const url = server.url.replace(/\/+$/, '');
  return {
    url,
    host: server.host,
    port: server.port,
    urlFor: (path) => new URL(path, `${url}/`).href,
    server,
    close: () => server.close(),
  };
}
