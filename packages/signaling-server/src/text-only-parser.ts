/**
 * socket.io's parser with binary refused. Nothing in this protocol is binary, but the stock decoder
 * accepts a "binary event" header announcing N attachments and then keeps every attachment frame
 * in memory until the last one arrives: 300 sockets each parking 9 × 128 KiB took the server from
 * 75 to 460 MB. Refusing here, before anything is buffered, closes that; the connection is closed
 * (socket.io's answer to a packet its parser rejects) after the client is told why.
 */
import { Decoder, Encoder, PacketType } from 'socket.io-parser';

export class BinaryPacketError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BinaryPacketError';
  }
}

const BINARY_TYPES = new Set([String(PacketType.BINARY_EVENT), String(PacketType.BINARY_ACK)]);

export class TextOnlyDecoder extends Decoder {
  override add(obj: unknown): void {
    if (typeof obj !== 'string') throw new BinaryPacketError('binary frames are not part of this protocol');
    if (BINARY_TYPES.has(obj.charAt(0))) throw new BinaryPacketError('packets with binary attachments are not part of this protocol');
    super.add(obj);
  }
}

/** For `new Server(http, { parser: textOnlyParser })`. */
export const textOnlyParser = { Encoder, Decoder: TextOnlyDecoder };
