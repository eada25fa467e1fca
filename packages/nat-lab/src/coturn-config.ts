/**
 * coturn's config for the lab. Not @workbench/testing's startCoturn: that one probes for free
 * loopback ports and binds one address in the root namespace, while the lab's coturn runs under
 * `ip netns exec` in the pub namespace, on fixed ports, listening on two addresses.
 */
import { PORTS, PUBLIC } from './plan.js';

export interface LabCoturnConfigOptions {
  /** static-auth-secret shared with the signaling server (TURN REST credentials). */
  secret: string;
  /** Where coturn writes its log, pid file and user database. */
  dir: string;
  realm?: string;
}

/** The ranges a TURN relay must not send to (coturn's own advice for public servers). */
export const DENIED_PEER_RANGES = ['10.0.0.0-10.255.255.255', '172.16.0.0-172.31.255.255', '192.168.0.0-192.168.255.255'] as const;

export function labCoturnConfig(options: LabCoturnConfigOptions): string {
  if (!/^[A-Za-z0-9_-]{16,}$/.test(options.secret)) {
    throw new TypeError('labCoturnConfig: the secret must be at least 16 characters of [A-Za-z0-9_-] (it is written into a config file unquoted).');
  }
  if (/\s/.test(options.dir) || options.dir === '') throw new TypeError(`labCoturnConfig: dir must be a path without spaces, got ${JSON.stringify(options.dir)}`);
  const lines = [
    // Two listening addresses: a browser asking both from one socket learns whether its NAT keeps
    // one mapping (same port seen by both) or makes one per destination (two ports).
    `listening-ip=${PUBLIC.serverIp}`,
    `listening-ip=${PUBLIC.secondStunIp}`,
    `relay-ip=${PUBLIC.serverIp}`,
    `listening-port=${PORTS.stunTurn}`,
    `min-port=${PORTS.relayMin}`,
    `max-port=${PORTS.relayMax}`,
    `realm=${options.realm ?? 'nat-lab.test'}`,
    'fingerprint',
    'use-auth-secret',
    `static-auth-secret=${options.secret}`,
    // Browsers offer their private host addresses as candidates. Without this, coturn (which has
    // no route to 10.x in the lab) closed both sides' allocations within a second of the
    // permissions for them, and the TURN call failed.
    ...DENIED_PEER_RANGES.map((range) => `denied-peer-ip=${range}`),
    'no-multicast-peers',
    'no-tls',
    'no-dtls',
    'no-cli',
    `log-file=${options.dir}/turnserver.log`,
    'simple-log',
    'verbose',
    `pidfile=${options.dir}/turnserver.pid`,
    // A private user database, so the system one (/var/lib/turn) is neither read nor created.
    `userdb=${options.dir}/turndb`,
  ];
  return `${lines.join('\n')}\n`;
}

/** The ICE URLs both signaling servers hand out. */
export const LAB_ICE_URLS = {
  stun: [`stun:${PUBLIC.serverIp}:${PORTS.stunTurn}`, `stun:${PUBLIC.secondStunIp}:${PORTS.stunTurn}`],
  turn: [`turn:${PUBLIC.serverIp}:${PORTS.stunTurn}?transport=udp`, `turn:${PUBLIC.serverIp}:${PORTS.stunTurn}?transport=tcp`],
} as const;
