import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

import { HarnessError, HarnessErrorCode } from './errors.js';

/** Where a system program was found and why that path was chosen (shown in test logs). */
export interface FoundExecutable {
  path: string;
  source: 'env' | 'path' | 'default';
}

/** A system program the harness runs, the Debian package that provides it and the names to look for. */
export interface SystemProgram {
  /** What a person calls it, for messages. */
  title: string;
  /** Environment variable that overrides the search with an explicit path. */
  envVar?: string;
  /** Absolute paths tried first, in order. */
  defaultPaths: readonly string[];
  /** Names looked up on PATH after the default paths. */
  pathNames: readonly string[];
  /** Debian/Ubuntu package to install. */
  aptPackage: string;
}

export const CHROMIUM: SystemProgram = {
  title: 'Chromium',
  envVar: 'CHROME_PATH',
  defaultPaths: ['/usr/bin/chromium'],
  pathNames: ['chromium', 'google-chrome', 'google-chrome-stable', 'chromium-browser'],
  aptPackage: 'chromium',
};

export const FIREFOX: SystemProgram = {
  title: 'Firefox ESR',
  envVar: 'FIREFOX_PATH',
  defaultPaths: ['/usr/bin/firefox-esr'],
  pathNames: ['firefox-esr', 'firefox'],
  aptPackage: 'firefox-esr',
};

export const COTURN: SystemProgram = {
  title: 'coturn (turnserver)',
  envVar: 'TURNSERVER_PATH',
  defaultPaths: ['/usr/bin/turnserver'],
  pathNames: ['turnserver'],
  aptPackage: 'coturn',
};

export const REDIS: SystemProgram = {
  title: 'Redis (redis-server)',
  envVar: 'REDIS_SERVER_PATH',
  defaultPaths: ['/usr/bin/redis-server'],
  pathNames: ['redis-server'],
  aptPackage: 'redis-server',
};

/** Builds a Redis Cluster out of running servers (`redis-cli --cluster create`); same package. */
export const REDIS_CLI: SystemProgram = {
  title: 'Redis command line (redis-cli)',
  envVar: 'REDIS_CLI_PATH',
  defaultPaths: ['/usr/bin/redis-cli'],
  pathNames: ['redis-cli'],
  aptPackage: 'redis-tools',
};

export const NGINX: SystemProgram = {
  title: 'nginx',
  envVar: 'NGINX_PATH',
  // Debian puts it in sbin, which a non-root PATH often lacks.
  defaultPaths: ['/usr/sbin/nginx'],
  pathNames: ['nginx'],
  aptPackage: 'nginx',
};

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `which`: the first executable file called `name` on PATH, or undefined. */
export function whichSync(name: string, pathEnv = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of pathEnv.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Finds a system program or throws a HarnessError that names the package to install.
 * Tests never skip for a missing program: a machine without it must fail loudly, with the fix in the message.
 */
export function findExecutable(program: SystemProgram, env: NodeJS.ProcessEnv = process.env): FoundExecutable {
  const explicit = program.envVar ? env[program.envVar] : undefined;
  if (explicit !== undefined && explicit !== '') {
    const resolved = isAbsolute(explicit) ? explicit : whichSync(explicit, env['PATH']);
    if (resolved !== undefined && isExecutableFile(resolved)) return { path: resolved, source: 'env' };
    throw new HarnessError(
      HarnessErrorCode.BadExecutablePath,
      `${program.envVar}=${explicit} is not an executable file. Point ${program.envVar} at the ${program.title} binary, or unset it to use the system one (install it with \`apt-get install ${program.aptPackage}\`).`,
    );
  }
  for (const path of program.defaultPaths) {
    if (isExecutableFile(path)) return { path, source: 'default' };
  }
  for (const name of program.pathNames) {
    const path = whichSync(name, env['PATH']);
    if (path !== undefined) return { path, source: 'path' };
  }
  const tried = [...program.defaultPaths, ...program.pathNames.map((n) => `${n} on PATH`)].join(', ');
  throw new HarnessError(
    HarnessErrorCode.MissingSystemPackage,
    `${program.title} is not installed (looked for ${tried}${program.envVar ? ` and $${program.envVar}` : ''}). ` +
      `Install it with \`apt-get install ${program.aptPackage}\` or run \`npm run system-deps\` as root.`,
  );
}

/** Path of system Chromium: $CHROME_PATH, /usr/bin/chromium, then chromium/google-chrome/chromium-browser on PATH. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  return findExecutable(CHROMIUM, env).path;
}

/** Path of system Firefox: $FIREFOX_PATH, /usr/bin/firefox-esr, then firefox-esr/firefox on PATH. */
export function findFirefox(env: NodeJS.ProcessEnv = process.env): string {
  return findExecutable(FIREFOX, env).path;
}

/** Path of coturn's `turnserver`. */
export function findTurnserver(env: NodeJS.ProcessEnv = process.env): string {
  return findExecutable(COTURN, env).path;
}

/** Path of `redis-server`. */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string {
  return findExecutable(REDIS, env).path;
}

/** Path of `redis-cli`. */
export function findRedisCli(env: NodeJS.ProcessEnv = process.env): string {
  return findExecutable(REDIS_CLI, env).path;
}

/** Path of `nginx` (the load balancer in front of several server processes, packages/cluster). */
export function findNginx(env: NodeJS.ProcessEnv = process.env): string {
  return findExecutable(NGINX, env).path;
}
