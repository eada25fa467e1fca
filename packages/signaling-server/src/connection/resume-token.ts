/**
 * The resume token: `<room>.<memberId>.<secret>`, handed out in the join ack and presented in
 * `auth.resumeToken` on reconnect. Only its secret part proves anything; the store checks it.
 */

const RESUME_TOKEN = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{16,64})$/;

export function resumeToken(room: string, memberId: string, secret: string): string {
  return `${room}.${memberId}.${secret}`;
}

/** The parts of a presented token, or undefined when it is not one (not a string, or malformed). */
export function parseResumeToken(presented: unknown): { room: string; memberId: string; secret: string } | undefined {
  const token = typeof presented === 'string' ? RESUME_TOKEN.exec(presented) : null;
  if (token === null) return undefined;
  const [, room = '', memberId = '', secret = ''] = token;
  return { room, memberId, secret };
}
