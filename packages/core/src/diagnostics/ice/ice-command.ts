/**
 * The terminal command equivalent to an ICE page run (`webrtc-workbench ice …`, package
 * @workbench/ice-cli), for the page's **Copy as command**. Credentials stay out unless asked
 * for: TURN servers then get `"$TURN_USERNAME"`/`"$TURN_CREDENTIAL"`, so the line can be pasted
 * into a script that sets them. The command takes one username/credential pair per invocation,
 * so servers with different credentials become one line each.
 */
import type { IceServerEntry } from './report.js';
import type { IcePolicy } from './server-urls.js';

export interface IceCommandSettings {
  servers: readonly IceServerEntry[];
  budgetMs: number;
  policy: IcePolicy;
  /** Put the real usernames and credentials in the command. */
  includeCredentials: boolean;
  /** Where the page came from (`location.origin`): servers from /api/ice-servers become `--from <origin>/api/ice-servers`. */
  origin?: string;
}

/** POSIX shell quoting: bare when safe, else single quotes with `'\''` for a quote. */
export function shellQuote(word: string): string {
  // `?` and `*` stay quoted: unquoted they are glob patterns (turn:h:3478?transport=udp could match a file).
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const PLACEHOLDER_USERNAME = '"$TURN_USERNAME"';
const PLACEHOLDER_CREDENTIAL = '"$TURN_CREDENTIAL"';

/** One or more command lines (joined by newlines) that test the same servers with the same settings. */
export function iceCommandLine(settings: IceCommandSettings): string {
  const common: string[] = [];
  if (settings.budgetMs !== 5000) common.push('--budget', String(settings.budgetMs / 1000));
  if (settings.policy === 'relay') common.push('--relay-only');

  const lines: string[] = [];
  const fromServer = settings.servers.filter((s) => s.source === 'server');
  if (fromServer.length > 0 && settings.origin) {
    // The workbench mints fresh credentials on each request: --from fetches them, never the stale ones here.
    lines.push(['npx', 'webrtc-workbench', 'ice', '--from', shellQuote(`${settings.origin.replace(/\/+$/, '')}/api/ice-servers`), ...common].join(' '));
  }
  const own = settings.servers.filter((s) => s.source !== 'server' || !settings.origin);
  // Group by credential pair, keeping the order servers were listed in.
  const groups = new Map<string, IceServerEntry[]>();
  for (const server of own) {
    const turn = /^turns?:/i.test(server.url);
    const key = turn ? JSON.stringify([server.username ?? '', server.credential ?? '']) : '';
    groups.set(key, [...(groups.get(key) ?? []), server]);
  }
  // STUN servers need no credentials: they join the first group's line.
  const stun = groups.get('') ?? [];
  groups.delete('');
  const turnGroups = [...groups.values()];
  if (turnGroups.length === 0 && stun.length > 0) turnGroups.push([]);
  turnGroups.forEach((group, index) => {
    const urls = [...(index === 0 ? stun : []), ...group].map((s) => shellQuote(s.url));
    const words = ['npx', 'webrtc-workbench', 'ice', ...urls];
    const first = group[0];
    if (first) {
      words.push(
        '--username',
        settings.includeCredentials ? shellQuote(first.username ?? '') : PLACEHOLDER_USERNAME,
        '--credential',
        settings.includeCredentials ? shellQuote(first.credential ?? '') : PLACEHOLDER_CREDENTIAL,
      );
    }
    lines.push([...words, ...common].join(' '));
  });
  return lines.join('\n');
}
