import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

import { HarnessError, HarnessErrorCode } from './errors.js';
import type { StunMappedAddress } from './stun.js';

// Just enough of RFC 5766 to prove a TURN server accepts a set of credentials and allocates a relay
// from the configured range; browsers do the rest. Long-term credentials per RFC 5389 §10.2.
const ALLOCATE_REQUEST = 0x0003;
const ALLOCATE_SUCCESS = 0x0103;
const ALLOCATE_ERROR = 0x0113;
const REFRESH_REQUEST = 0x0004;
const MAGIC_COOKIE = 0x2112a442;
const ATTR = {
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  LIFETIME: 0x000d,
  REALM: 0x0014,
  NONCE: 0x0015,
  XOR_RELAYED_ADDRESS: 0x0016,
  REQUESTED_TRANSPORT: 0x0019,
  XOR_MAPPED_ADDRESS: 0x0020,
} as const;

interface Attribute {
  type: number;
  value: Buffer;
}

function encodeAttribute({ type, value }: Attribute): Buffer {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

function encodeMessage(type: number, transactionId: Buffer, attributes: Attribute[], integrityKey?: Buffer): Buffer {
  const body = Buffer.concat(attributes.map(encodeAttribute));
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(header, 8);
  if (!integrityKey) {
    header.writeUInt16BE(body.length, 2);
    return Buffer.concat([header, body]);
  }
  // MESSAGE-INTEGRITY covers the message with its length field already counting the 24-byte attribute.
  header.writeUInt16BE(body.length + 24, 2);
  const hmac = createHmac('sha1', integrityKey).update(Buffer.concat([header, body])).digest();
  return Buffer.concat([header, body, encodeAttribute({ type: ATTR.MESSAGE_INTEGRITY, value: hmac })]);
}

function decodeMessage(message: Buffer): { type: number; transactionId: Buffer; attributes: Map<number, Buffer> } {
  const attributes = new Map<number, Buffer>();
  const length = message.readUInt16BE(2);
  for (let offset = 20; offset + 4 <= 20 + length && offset + 4 <= message.length; ) {
    const type = message.readUInt16BE(offset);
    const attrLength = message.readUInt16BE(offset + 2);
    if (!attributes.has(type)) attributes.set(type, message.subarray(offset + 4, offset + 4 + attrLength));
    offset += 4 + Math.ceil(attrLength / 4) * 4;
  }
  return { type: message.readUInt16BE(0), transactionId: message.subarray(8, 20), attributes };
}

function decodeXorAddress(value: Buffer, xorKey: Buffer): StunMappedAddress {
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const raw = Buffer.from(value.subarray(4, 8));
  for (let i = 0; i < 4; i++) raw[i] = raw[i]! ^ xorKey[i]!;
  return { family: 'IPv4', address: [...raw].join('.'), port };
}

export interface TurnAllocation {
  /** The relayed transport address the server allocated for us. */
  relayed: StunMappedAddress;
  /** Our address as the server saw it. */
  mapped: StunMappedAddress;
  /** Allocation lifetime in seconds, as granted. */
  lifetimeSeconds: number;
}

export interface TurnAllocateOptions {
  timeoutMs?: number;
  /**
   * Leave the relay allocated (no Refresh with LIFETIME 0): it holds its relay port until its
   * lifetime ends or the server stops, as a client that vanished would. Default false.
   */
  keep?: boolean;
}

/**
 * Allocates a UDP relay on a TURN server over UDP with long-term credentials (static user or TURN
 * REST username/credential), then releases it unless `keep` is set. Resolves with the relayed
 * address; throws a StunFailed HarnessError carrying the server's error code (401 = credentials
 * refused) otherwise.
 */
export async function turnAllocate(host: string, port: number, credentials: { username: string; password: string }, options: TurnAllocateOptions = {}): Promise<TurnAllocation> {
  const { timeoutMs = 3000, keep = false } = options;
  const socket = createSocket('udp4');
  const exchange = (message: Buffer, transactionId: Buffer): Promise<ReturnType<typeof decodeMessage>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.off('message', onMessage);
        reject(new HarnessError(HarnessErrorCode.StunFailed, `No TURN answer from ${host}:${port} within ${timeoutMs} ms.`));
      }, timeoutMs);
      const onMessage = (reply: Buffer): void => {
        const decoded = decodeMessage(reply);
        if (!decoded.transactionId.equals(transactionId)) return;
        clearTimeout(timer);
        socket.off('message', onMessage);
        resolve(decoded);
      };
      socket.on('message', onMessage);
      socket.send(message, port, host);
    });
  const requestedTransport: Attribute = { type: ATTR.REQUESTED_TRANSPORT, value: Buffer.from([17, 0, 0, 0]) };
  const errorOf = (reply: ReturnType<typeof decodeMessage>): { code: number; reason: string } => {
    const value = reply.attributes.get(ATTR.ERROR_CODE);
    if (!value || value.length < 4) return { code: 0, reason: 'no ERROR-CODE attribute' };
    return { code: (value.readUInt8(2) & 0x7) * 100 + value.readUInt8(3), reason: value.subarray(4).toString('utf8') };
  };

  try {
    await new Promise<void>((resolve) => socket.bind(0, resolve));
    // First request without credentials: the server answers 401 with the realm and nonce to use.
    const firstId = randomBytes(12);
    const challenge = await exchange(encodeMessage(ALLOCATE_REQUEST, firstId, [requestedTransport]), firstId);
    const realm = challenge.attributes.get(ATTR.REALM);
    const nonce = challenge.attributes.get(ATTR.NONCE);
    if (challenge.type !== ALLOCATE_ERROR || !realm || !nonce) {
      const { code, reason } = errorOf(challenge);
      throw new HarnessError(HarnessErrorCode.StunFailed, `Expected a 401 challenge from the TURN server, got type 0x${challenge.type.toString(16)} (${code} ${reason}).`);
    }
    const key = createHash('md5').update(`${credentials.username}:${realm.toString('utf8')}:${credentials.password}`).digest();
    const secondId = randomBytes(12);
    const reply = await exchange(
      encodeMessage(
        ALLOCATE_REQUEST,
        secondId,
        [requestedTransport, { type: ATTR.USERNAME, value: Buffer.from(credentials.username) }, { type: ATTR.REALM, value: realm }, { type: ATTR.NONCE, value: nonce }],
        key,
      ),
      secondId,
    );
    if (reply.type !== ALLOCATE_SUCCESS) {
      const { code, reason } = errorOf(reply);
      throw new HarnessError(
        HarnessErrorCode.StunFailed,
        `TURN Allocate refused: ${code} ${reason}.${code === 401 ? ' The server did not accept these credentials (wrong user/password, or REST credentials from another secret or expired).' : ''}`,
      );
    }
    const xorKey = Buffer.concat([Buffer.from([0x21, 0x12, 0xa4, 0x42]), reply.transactionId]);
    const relayed = reply.attributes.get(ATTR.XOR_RELAYED_ADDRESS);
    const mapped = reply.attributes.get(ATTR.XOR_MAPPED_ADDRESS);
    const lifetime = reply.attributes.get(ATTR.LIFETIME);
    if (!relayed || !mapped) throw new HarnessError(HarnessErrorCode.StunFailed, 'TURN Allocate success without XOR-RELAYED-ADDRESS or XOR-MAPPED-ADDRESS.');
    const allocation: TurnAllocation = {
      relayed: decodeXorAddress(relayed, xorKey),
      mapped: decodeXorAddress(mapped, xorKey),
      lifetimeSeconds: lifetime?.readUInt32BE(0) ?? 0,
    };
    if (keep) return allocation;
    // Release the relay right away (Refresh with LIFETIME 0) so repeated checks don't pile up allocations.
    const refreshId = randomBytes(12);
    const lifetimeZero = Buffer.alloc(4);
    await exchange(
      encodeMessage(
        REFRESH_REQUEST,
        refreshId,
        [{ type: ATTR.LIFETIME, value: lifetimeZero }, { type: ATTR.USERNAME, value: Buffer.from(credentials.username) }, { type: ATTR.REALM, value: realm }, { type: ATTR.NONCE, value: nonce }],
        key,
      ),
      refreshId,
    ).catch(() => undefined);
    return allocation;
  } finally {
    socket.close();
  }
}
