import { describe, expect, it } from 'vitest';

import { HarnessErrorCode } from './errors.js';
import { decodeBindingResponse, encodeBindingRequest } from './stun.js';

// RFC 5769 §2.2: sample IPv4 Binding success response (SOFTWARE, XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT).
const RFC5769_TRANSACTION_ID = Buffer.from('b7e7a701bc34d686fa87dfae', 'hex');
const RFC5769_IPV4_RESPONSE = Buffer.from(
  '0101003c' + '2112a442' + 'b7e7a701bc34d686fa87dfae' +
    '8022000b' + '74657374' + '20766563' + '746f7220' +
    '00200008' + '0001a147' + 'e112a643' +
    '00080014' + '2b91f599' + 'fd9e90c3' + '8c7489f9' + '2af9ba53' + 'f06be7d7' +
    '80280004' + 'c07d4c96',
  'hex',
);

function response(type: number, transactionId: Buffer, attributes: Buffer): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(attributes.length, 2);
  header.writeUInt32BE(0x2112a442, 4);
  transactionId.copy(header, 8);
  return Buffer.concat([header, attributes]);
}

describe('encodeBindingRequest', () => {
  it('is a 20-byte header: Binding request, zero length, magic cookie, the transaction id', () => {
    const id = Buffer.from('0102030405060708090a0b0c', 'hex');
    const request = encodeBindingRequest(id);
    expect(request.toString('hex')).toBe('00010000' + '2112a442' + '0102030405060708090a0b0c');
  });

  it('uses a fresh random transaction id each time', () => {
    expect(encodeBindingRequest().subarray(8).equals(encodeBindingRequest().subarray(8))).toBe(false);
  });
});

describe('decodeBindingResponse', () => {
  it('decodes the RFC 5769 IPv4 test vector to 192.0.2.1:32853, skipping the other attributes', () => {
    expect(decodeBindingResponse(RFC5769_IPV4_RESPONSE, RFC5769_TRANSACTION_ID)).toEqual({ family: 'IPv4', address: '192.0.2.1', port: 32853 });
  });

  it('decodes the RFC 5769 IPv6 XOR-MAPPED-ADDRESS to 2001:db8:1234:5678:11:2233:4455:6677:32853', () => {
    const attributes = Buffer.from('8022000b' + '74657374' + '20766563' + '746f7220' + '00200014' + '0002a147' + '0113a9fa' + 'a5d3f179' + 'bc25f4b5' + 'bed2b9d9', 'hex');
    expect(decodeBindingResponse(response(0x0101, RFC5769_TRANSACTION_ID, attributes), RFC5769_TRANSACTION_ID)).toEqual({
      family: 'IPv6',
      address: '2001:db8:1234:5678:11:2233:4455:6677',
      port: 32853,
    });
  });

  it('falls back to the legacy MAPPED-ADDRESS (not XORed)', () => {
    const attributes = Buffer.from('00010008' + '0001' + '1f90' + '7f000001', 'hex');
    expect(decodeBindingResponse(response(0x0101, RFC5769_TRANSACTION_ID, attributes), RFC5769_TRANSACTION_ID)).toEqual({ family: 'IPv4', address: '127.0.0.1', port: 8080 });
  });

  it('rejects an answer to another transaction', () => {
    const other = Buffer.alloc(12, 7);
    expect(() => decodeBindingResponse(RFC5769_IPV4_RESPONSE, other)).toThrow(expect.objectContaining({ code: HarnessErrorCode.StunFailed, message: expect.stringContaining('transaction id') }));
  });

  it('rejects a Binding error response, naming its type', () => {
    const errorCode400 = Buffer.from('00090004' + '00000400', 'hex');
    const errorResponse = response(0x0111, RFC5769_TRANSACTION_ID, errorCode400);
    expect(() => decodeBindingResponse(errorResponse, RFC5769_TRANSACTION_ID)).toThrow(/0x0111/);
  });

  it('rejects a message without the magic cookie and one with no address', () => {
    const noCookie = Buffer.from(RFC5769_IPV4_RESPONSE);
    noCookie.writeUInt32BE(0, 4);
    expect(() => decodeBindingResponse(noCookie, RFC5769_TRANSACTION_ID)).toThrow(/magic cookie/);
    expect(() => decodeBindingResponse(response(0x0101, RFC5769_TRANSACTION_ID, Buffer.alloc(0)), RFC5769_TRANSACTION_ID)).toThrow(/MAPPED-ADDRESS/);
  });

  it('rejects a truncated message', () => {
    expect(() => decodeBindingResponse(RFC5769_IPV4_RESPONSE.subarray(0, 12), RFC5769_TRANSACTION_ID)).toThrow(/shorter than a STUN header/);
  });
});
