/**
 * The servers a terminal run tests, as the page's entries: the URLs given with their
 * credentials (minted from --secret exactly as the workbench server mints them), or what a
 * running workbench hands out at /api/ice-servers.
 */
import { fetchIceServers } from '@workbench/core/ice-servers';
import type { IceServerEntry } from '@workbench/core/ice-diagnostics';
import { turnRestCredentials } from '@workbench/core/turn-credentials';

import { UsageError, type IceCommand } from './args.js';

export function entriesFromCommand(command: IceCommand, nowMs = Date.now()): IceServerEntry[] {
  const minted = command.secret !== undefined ? turnRestCredentials(command.secret, command.restUser, command.ttlSeconds, nowMs) : undefined;
  return command.urls.map((url, index) => {
    const turn = /^turns?:/i.test(url.trim());
    const username = turn ? (minted?.username ?? command.username) : undefined;
    const credential = turn ? (minted?.credential ?? command.credential) : undefined;
    return {
      id: `arg${index + 1}`,
      url: url.trim(),
      source: 'user',
      ...(username !== undefined ? { username } : {}),
      ...(credential !== undefined ? { credential } : {}),
    };
  });
}

/** GETs --from; anything but a usable list is a UsageError (exit 64), one line. */
export async function entriesFromWorkbench(from: string, timeoutMs = 10_000): Promise<IceServerEntry[]> {
  const fetcher: typeof fetch = (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const answer = await fetchIceServers(fetcher, from);
  if (answer.problem !== undefined) {
    const cause = answer.problem.replace(/\(fetch failed\)/, '(nothing answered: check the address and that the workbench runs)');
    throw new UsageError(`--from: ${cause}`);
  }
  const entries: IceServerEntry[] = [];
  for (const server of answer.iceServers) {
    for (const url of typeof server.urls === 'string' ? [server.urls] : server.urls) {
      entries.push({
        id: `from${entries.length + 1}`,
        url,
        source: 'server',
        ...(typeof server.username === 'string' ? { username: server.username } : {}),
        ...(typeof server.credential === 'string' ? { credential: server.credential } : {}),
      });
    }
  }
  if (entries.length === 0) throw new UsageError(`--from: ${from} lists no ICE servers (start the workbench with --stun/--turn-url).`);
  return entries;
}
