import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

import { HarnessError, HarnessErrorCode } from './errors.js';

// RFC 5389 constants. A hand-rolled client keeps the check independent of any WebRTC stack:
// if coturn answers this, the server itself is fine and a browser failure is the browser's or the config's.
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const MAGIC_COOKIE = 0x2112a442;
const ATTR_MAPPED_ADDRESS = 0x0001;
const ATTR_XOR_MAPPED_ADDRESS = 0x0020;
const HEADER_LENGTH = 20;

/** The transport address the STUN server saw the request come from. */
export interface StunMappedAddress {
  family: 'IPv4' | 'IPv6';
  address: string;
  port: number;
}

/** A 20-byte Binding request with no attributes and a fresh 96-bit transaction id. */
export function encodeBindingRequest(transactionId: Buffer = randomBytes(12)): Buffer {
  const message = Buffer.alloc(HEADER_LENGTH);
  message.writeUInt16BE(BINDING_REQUEST, 0);
  message.writeUInt16BE(0, 2);
  message.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(message, 8);
  return message;
}

function decodeAddress(value: Buffer, xorWith: Buffer | undefined): StunMappedAddress | undefined {
  if (value.length < 8) return undefined;
  const familyByte = value.readUInt8(1);
  let port = value.readUInt16BE(2);
  if (xorWith) port ^= MAGIC_COOKIE >>> 16;
  if (familyByte === 0x01) {
    const raw = Buffer.from(value.subarray(4, 8));
    if (xorWith) for (let i = 0; i < 4; i++) raw[i] = raw[i]! ^ xorWith[i]!;
    return { family: 'IPv4', address: [...raw].join('.'), port };
  }
  if (familyByte === 0x02 && value.length >= 20) {
    const raw = Buffer.from(value.subarray(4, 20));
    if (xorWith) for (let i = 0; i < 16; i++) raw[i] = raw[i]! ^ xorWith[i]!;
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(raw.readUInt16BE(i).toString(16));
    return { family: 'IPv6', address: groups.join(':'), port };
  }
  return undefined;
}

/**
 * Parses a Binding success response for `transactionId`; returns XOR-MAPPED-ADDRESS (or the legacy
 * MAPPED-ADDRESS). Throws a StunFailed HarnessError for anything else, saying what was wrong.
 */
export function decodeBindingResponse(message: Buffer, transactionId: Buffer): StunMappedAddress {
  const fail = (why: string): never => {
    throw new HarnessError(HarnessErrorCode.StunFailed, `Invalid STUN Binding response: ${why}.`);
  };
  if (message.length < HEADER_LENGTH) fail(`${message.length} bytes is shorter than a STUN header`);
  const type = message.readUInt16BE(0);
  const length = message.readUInt16BE(2);
  if (message.readUInt32BE(4) !== MAGIC_COOKIE) fail('magic cookie is not 0x2112A442');
  if (!message.subarray(8, 20).equals(transactionId)) fail('transaction id does not match the request');
  if (type !== BINDING_SUCCESS) fail(`message type is 0x${type.toString(16).padStart(4, '0')}, not Binding success (0x0101)`);
  if (HEADER_LENGTH + length > message.length) fail('declared length runs past the end of the message');
  // XOR key: the magic cookie followed by the transaction id (IPv6 uses all 16 bytes).
  const xorKey = message.subarray(4, 20);
  let mapped: StunMappedAddress | undefined;
  for (let offset = HEADER_LENGTH; offset + 4 <= HEADER_LENGTH + length; ) {
    const attrType = message.readUInt16BE(offset);
    const attrLength = message.readUInt16BE(offset + 2);
    const value = message.subarray(offset + 4, offset + 4 + attrLength);
    if (attrType === ATTR_XOR_MAPPED_ADDRESS) return decodeAddress(value, xorKey) ?? fail('XOR-MAPPED-ADDRESS is malformed');
    if (attrType === ATTR_MAPPED_ADDRESS) mapped = decodeAddress(value, undefined);
    offset += 4 + Math.ceil(attrLength / 4) * 4; // attributes are padded to 4 bytes
  }
  return mapped ?? fail('it carries no (XOR-)MAPPED-ADDRESS attribute');
}

export interface StunBindingOptions {
  transport?: 'udp' | 'tcp';
  timeoutMs?: number;
}

/** Sends one STUN Binding request to host:port and resolves with the mapped address the server reports. */
export async function stunBinding(host: string, port: number, options: StunBindingOptions = {}): Promise<StunMappedAddress> {
  const { transport = 'udp', timeoutMs = 2000 } = options;
  const transactionId = randomBytes(12);
  const request = encodeBindingRequest(transactionId);
  const timeoutError = (): HarnessError =>
    new HarnessError(HarnessErrorCode.StunFailed, `No STUN answer from ${host}:${port} over ${transport} within ${timeoutMs} ms; is the server running and listening on ${transport.toUpperCase()}?`);

  if (transport === 'udp') {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    try {
      return await new Promise<StunMappedAddress>((resolve, reject) => {
        const timer = setTimeout(() => reject(timeoutError()), timeoutMs);
        socket.once('error', (error) => {
          clearTimeout(timer);
          reject(new HarnessError(HarnessErrorCode.StunFailed, `STUN over UDP to ${host}:${port} failed: ${error.message}`, { cause: error }));
        });
        socket.on('message', (message) => {
          clearTimeout(timer);
          try {
            resolve(decodeBindingResponse(message, transactionId));
          } catch (error) {
            reject(error);
          }
        });
        socket.send(request, port, host);
      });
    } finally {
      socket.close();
    }
  }

  // Over TCP, STUN messages are simply sent back to back (RFC 5389 §7.2.2); one response is expected.
  const socket = connect({ host, port });
  try {
    return await new Promise<StunMappedAddress>((resolve, reject) => {
      const timer = setTimeout(() => reject(timeoutError()), timeoutMs);
      let received = Buffer.alloc(0);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new HarnessError(HarnessErrorCode.StunFailed, `STUN over TCP to ${host}:${port} failed: ${error.message}`, { cause: error }));
      });
      socket.once('connect', () => socket.write(request));
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length < HEADER_LENGTH) return;
        const total = HEADER_LENGTH + received.readUInt16BE(2);
        if (received.length < total) return;
        clearTimeout(timer);
        try {
          resolve(decodeBindingResponse(received.subarray(0, total), transactionId));
        } catch (error) {
          reject(error);
        }
      });
    });
  } finally {
    socket.destroy();
  }
}
