/**
 * The `icecandidateerror` code table (meaning, likely cause, fix) and its explanation of one
 * observed error, with the rule for non-fatal 701s and the expiry of TURN REST credentials.
 */
import { m } from '@workbench/i18n/messages';

export interface IceErrorCodeInfo {
  code: number;
  /** The STUN reason phrase (RFC 8489/8656), or the browser's name for 7xx. */
  name: string;
  meaning: string;
  cause: string;
  fix: string;
}

/**
 * One row of the table. The meaning, cause and fix are getters, read in the language of the moment
 * (paraglide's locale): a page is built for one language, but a Node test switches locale, and the
 * CLI must read English. The name is the protocol's reason phrase and stays as the RFC spells it.
 */
function entry(code: number, name: string | (() => string), meaning: () => string, cause: () => string, fix: () => string): [number, IceErrorCodeInfo] {
  return [
    code,
    {
      code,
      get name() {
        return typeof name === 'string' ? name : name();
      },
      get meaning() {
        return meaning();
      },
      get cause() {
        return cause();
      },
      get fix() {
        return fix();
      },
    },
  ];
}

/**
 * Every error code an `icecandidateerror` carries in practice: STUN/TURN error responses
 * (300–699, from the server) and 701 (from the browser: the server could not be reached).
 */
export const ICE_ERROR_CODES: Readonly<Record<number, IceErrorCodeInfo>> = Object.fromEntries([
  entry(300, 'Try Alternate', m.ice_err_300_meaning, m.ice_err_300_cause, m.ice_err_300_fix),
  entry(400, 'Bad Request', m.ice_err_400_meaning, m.ice_err_400_cause, m.ice_err_400_fix),
  entry(401, 'Unauthorized', m.ice_err_401_meaning, m.ice_err_401_cause, m.ice_err_401_fix),
  entry(403, 'Forbidden', m.ice_err_403_meaning, m.ice_err_403_cause, m.ice_err_403_fix),
  entry(405, 'Mobility Forbidden', m.ice_err_405_meaning, m.ice_err_405_cause, m.ice_err_405_fix),
  entry(420, 'Unknown Attribute', m.ice_err_420_meaning, m.ice_err_420_cause, m.ice_err_420_fix),
  entry(437, 'Allocation Mismatch', m.ice_err_437_meaning, m.ice_err_437_cause, m.ice_err_437_fix),
  entry(438, 'Stale Nonce', m.ice_err_438_meaning, m.ice_err_438_cause, m.ice_err_438_fix),
  entry(440, 'Address Family not Supported', m.ice_err_440_meaning, m.ice_err_440_cause, m.ice_err_440_fix),
  entry(441, 'Wrong Credentials', m.ice_err_441_meaning, m.ice_err_441_cause, m.ice_err_441_fix),
  entry(442, 'Unsupported Transport Protocol', m.ice_err_442_meaning, m.ice_err_442_cause, m.ice_err_442_fix),
  entry(443, 'Peer Address Family Mismatch', m.ice_err_443_meaning, m.ice_err_443_cause, m.ice_err_443_fix),
  entry(446, 'Connection Already Exists', m.ice_err_446_meaning, m.ice_err_446_cause, m.ice_err_446_fix),
  entry(447, 'Connection Timeout or Failure', m.ice_err_447_meaning, m.ice_err_447_cause, m.ice_err_447_fix),
  entry(486, 'Allocation Quota Reached', m.ice_err_486_meaning, m.ice_err_486_cause, m.ice_err_486_fix),
  entry(487, 'Role Conflict', m.ice_err_487_meaning, m.ice_err_487_cause, m.ice_err_487_fix),
  entry(500, 'Server Error', m.ice_err_500_meaning, m.ice_err_500_cause, m.ice_err_500_fix),
  entry(508, 'Insufficient Capacity', m.ice_err_508_meaning, m.ice_err_508_cause, m.ice_err_508_fix),
  entry(600, 'Global Failure', m.ice_err_600_meaning, m.ice_err_600_cause, m.ice_err_600_fix),
  entry(701, m.ice_err_701_name, m.ice_err_701_meaning, m.ice_err_701_cause, m.ice_err_701_fix),
]);

/** What a browser reported in an `icecandidateerror` event (the fields that matter). */
export interface ObservedIceError {
  /** Milliseconds since the check started. */
  atMs: number;
  errorCode: number;
  errorText: string;
  url: string;
  /** The local address the attempt used; Chromium masks part of it ("192.168.1.x"). */
  address: string | null;
  port: number | null;
}

/** Chromium masks the local address ("[0:0:0:x:x:x:x:x]", "192.168.1.x"); a colon is enough to tell IPv6. */
export function isIpv6Local(error: ObservedIceError): boolean {
  return error.address?.includes(':') ?? false;
}

/** Which part of an attempt a 701 concerns: one local IPv6 address, a DNS lookup, or the server itself. */
export type IceErrorScope = 'ipv6' | 'dns' | 'server';

export interface ExplainedIceError extends IceErrorCodeInfo {
  error: ObservedIceError;
  scope: IceErrorScope;
  /** false when the error alone does not mean the server is unusable (see explainIceError). */
  fatal: boolean;
  /** Why it is not fatal, or facts that make the explanation specific (an expired REST username). */
  note?: string;
}

/** Seconds-since-epoch expiry in a TURN REST username (`<expiry>:<user>`), as Unix milliseconds. */
export function restCredentialExpiry(username: string | undefined): number | undefined {
  const match = username === undefined ? null : /^(\d{9,11})(?::|$)/.exec(username);
  return match ? Number(match[1]) * 1000 : undefined;
}

function describeExpiry(username: string | undefined, nowMs: number): string | undefined {
  const expiry = restCredentialExpiry(username);
  if (expiry === undefined) return undefined;
  const when = new Date(expiry).toISOString().replace('.000', '');
  return expiry <= nowMs ? m.ice_expiry_expired({ when, ago: Math.round((nowMs - expiry) / 1000) }) : m.ice_expiry_valid({ when });
}

function genericCodeInfo(code: number): IceErrorCodeInfo {
  const byClass: Record<number, [() => string, () => string]> = {
    3: [m.ice_generic_3_name, m.ice_generic_3_meaning],
    4: [m.ice_generic_4_name, m.ice_generic_4_meaning],
    5: [m.ice_generic_5_name, m.ice_generic_5_meaning],
    6: [m.ice_generic_6_name, m.ice_generic_6_meaning],
    7: [m.ice_generic_7_name, m.ice_generic_7_meaning],
  };
  const [name, meaning] = byClass[Math.floor(code / 100)] ?? [m.ice_generic_unknown_name, m.ice_generic_unknown_meaning];
  return { code, name: name(), meaning: meaning(), cause: m.ice_generic_cause(), fix: m.ice_generic_fix() };
}

/**
 * Explains one `icecandidateerror`. A 701 that concerns only a local IPv6 address (many networks
 * have no IPv6 route) or a DNS lookup (one address family of a name not resolving) is not
 * fatal: the browser tries each local address and family, and one failing is normal while
 * another works. Pass the username to explain a 401 caused by an expired REST credential.
 */
export function explainIceError(error: ObservedIceError, context: { username?: string; nowMs?: number } = {}): ExplainedIceError {
  const info = ICE_ERROR_CODES[error.errorCode] ?? genericCodeInfo(error.errorCode);
  let scope: IceErrorScope = 'server';
  let note: string | undefined;
  if (error.errorCode === 701) {
    if (/lookup|resolv|dns/i.test(error.errorText)) {
      scope = 'dns';
      note = m.ice_note_dns();
    } else if (isIpv6Local(error)) {
      scope = 'ipv6';
      note = m.ice_note_ipv6();
    }
  }
  if (error.errorCode === 401) note = describeExpiry(context.username, context.nowMs ?? Date.now());
  // 487 is resolved by ICE itself; every other error from a server ends that attempt.
  const fatal = scope === 'server' && error.errorCode !== 487;
  return { ...info, error, scope, fatal, ...(note ? { note } : {}) };
}
