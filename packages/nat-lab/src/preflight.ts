/**
 * Can the lab run here? Linux, root, iproute2 and iptables, and a kernel/container that lets this
 * process create a network namespace with NAT in it (tried for real, then removed). The answer's
 * reason is the one line `npm test` prints when the lab is not run.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

import { destroyNamespace, runCommand } from './netns.js';
import { labPrefix } from './plan.js';

export type Preflight = { ok: true } | { ok: false; reason: string };

const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** ip and iptables live in sbin, which a non-login PATH often lacks; every lab process inherits this. */
export function ensureSbinOnPath(env: NodeJS.ProcessEnv = process.env): void {
  const dirs = (env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  env['PATH'] = [...dirs, ...SBIN.filter((d) => !dirs.includes(d))].join(delimiter);
}

function onPath(name: string): boolean {
  return (process.env['PATH'] ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function preflight(): Preflight {
  if (process.platform !== 'linux') return { ok: false, reason: `network namespaces are Linux-only (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'not root (creating network namespaces and NAT rules needs root; run as root, e.g. in CI)' };
  ensureSbinOnPath();
  const missing = [['ip', 'iproute2'], ['iptables', 'iptables']].filter(([cmd]) => !onPath(cmd as string)).map(([, pkg]) => pkg);
  if (missing.length > 0) return { ok: false, reason: `${missing.join(' and ')} not installed (apt-get install ${missing.join(' ')}, or npm run system-deps as root)` };
  const ns = `${labPrefix(process.pid)}-preflight`;
  try {
    runCommand(['ip', 'netns', 'add', ns]);
    runCommand(['ip', 'netns', 'exec', ns, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'lo', '-j', 'MASQUERADE', '--random-fully']);
  } catch (error) {
    return { ok: false, reason: `cannot create a network namespace with NAT here (${(error instanceof Error ? error.message : String(error)).split('\n')[0]}); a container without CAP_SYS_ADMIN/CAP_NET_ADMIN?` };
  } finally {
    destroyNamespace(ns);
  }
  return { ok: true };
}
