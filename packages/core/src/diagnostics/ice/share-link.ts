/**
 * The share link: an ICE run's servers, budget and policy as a query string, and back.
 */
import { ErrorCode, WorkbenchError } from '../../errors.js';
import { type IcePolicy, parseIceServerUrl } from './server-urls.js';

export interface IceShareSettings {
  /** Server URLs only: a share link never carries a username or credential. */
  urls: string[];
  budgetMs?: number;
  policy?: IcePolicy;
}

/** The query string (`?server=…&server=…&budget=5&policy=all`) that repeats a test; no credentials. */
export function iceShareQuery(settings: { servers: readonly { url: string }[]; budgetMs: number; policy: IcePolicy }): string {
  const params = new URLSearchParams();
  for (const server of settings.servers) params.append('server', server.url.trim());
  params.set('budget', String(settings.budgetMs / 1000));
  params.set('policy', settings.policy);
  return `?${params.toString()}`;
}

/**
 * Reads a share link's query. Throws WorkbenchError INVALID_ARGUMENT naming what is wrong (a URL
 * that is not STUN/TURN, a budget out of range, an unknown policy); an empty query gives `{ urls: [] }`.
 */
export function parseIceShareQuery(search: string): IceShareSettings {
  const params = new URLSearchParams(search);
  const urls = params.getAll('server').map((url) => url.trim()).filter((url) => url !== '');
  for (const url of urls) parseIceServerUrl(url);
  const settings: IceShareSettings = { urls };
  const budget = params.get('budget');
  if (budget !== null) {
    const value = Number(budget);
    if (!(value >= 0.5 && value <= 60)) throw new WorkbenchError(ErrorCode.InvalidArgument, `The link's budget "${budget}" is not a number of seconds between 0.5 and 60.`);
    settings.budgetMs = Math.round(value * 1000);
  }
  const policy = params.get('policy');
  if (policy !== null) {
    if (policy !== 'all' && policy !== 'relay') throw new WorkbenchError(ErrorCode.InvalidArgument, `The link's policy "${policy}" is neither "all" nor "relay".`);
    settings.policy = policy;
  }
  return settings;
}
