/**
 * A pair of in-memory data channels that behave like RTCDataChannel where transfers care:
 * `send` adds to `bufferedAmount`, a timer drains a fixed number of bytes per tick (the
 * "network"), `bufferedamountlow` fires when the amount falls to the threshold, messages reach
 * the other side asynchronously and in order, and sending more than the browser's send-queue
 * limit throws as Chromium does. A tamper hook can corrupt or drop messages in flight.
 */

export interface FakeChannelOptions {
  label?: string;
  /** Bytes the "network" drains per tick; default 256 KiB. */
  bytesPerTick?: number;
  tickMs?: number;
  /** Chromium closes a channel whose send queue passes 16 MiB; the fake throws OperationError. */
  sendQueueLimit?: number;
  ordered?: boolean;
  maxRetransmits?: number | null;
  /** Sees every message before delivery; return a replacement, or `null` to drop it. */
  tamper?: (data: string | ArrayBuffer, index: number) => string | ArrayBuffer | null;
}

function sizeOf(data: string | ArrayBuffer): number {
  return typeof data === 'string' ? new TextEncoder().encode(data).byteLength : data.byteLength;
}

export class FakeDataChannel extends EventTarget {
  readonly label: string;
  readyState: RTCDataChannelState = 'open';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  binaryType: BinaryType = 'blob';
  readonly ordered: boolean;
  readonly maxRetransmits: number | null;
  readonly maxPacketLifeTime: number | null = null;
  other: FakeDataChannel | undefined;
  /** Highest bufferedAmount seen: the back-pressure assertion. */
  peakBufferedAmount = 0;
  /** Every message handed to send(), in order. */
  readonly sent: (string | ArrayBuffer)[] = [];

  readonly #options: FakeChannelOptions;
  readonly #queue: (string | ArrayBuffer)[] = [];
  #draining = false;
  #index = 0;

  constructor(options: FakeChannelOptions = {}) {
    super();
    this.#options = options;
    this.label = options.label ?? 'fake';
    this.ordered = options.ordered ?? true;
    this.maxRetransmits = options.maxRetransmits ?? null;
  }

  send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (this.readyState !== 'open') {
      throw new DOMException(`RTCDataChannel.readyState is not 'open'`, 'InvalidStateError');
    }
    const copy =
      typeof data === 'string'
        ? data
        : data instanceof ArrayBuffer
          ? data.slice(0)
          : new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer;
    const size = sizeOf(copy);
    if (this.bufferedAmount + size > (this.#options.sendQueueLimit ?? 16 * 1024 * 1024)) {
      throw new DOMException('RTCDataChannel send queue is full', 'OperationError');
    }
    this.sent.push(copy);
    this.bufferedAmount += size;
    this.peakBufferedAmount = Math.max(this.peakBufferedAmount, this.bufferedAmount);
    this.#queue.push(copy);
    this.#scheduleDrain();
  }

  close(): void {
    for (const channel of [this, this.other]) {
      if (!channel || channel.readyState === 'closed') continue;
      channel.readyState = 'closed';
      setTimeout(() => channel.dispatchEvent(new Event('close')), 0);
    }
  }

  /** Test hook: a channel still connecting, opened later with open(). */
  setConnecting(): void {
    this.readyState = 'connecting';
  }

  open(): void {
    this.readyState = 'open';
    this.dispatchEvent(new Event('open'));
  }

  #scheduleDrain(): void {
    if (this.#draining) return;
    this.#draining = true;
    setTimeout(() => this.#drain(), this.#options.tickMs ?? 0);
  }

  #drain(): void {
    this.#draining = false;
    if (this.readyState !== 'open') return;
    let budget = this.#options.bytesPerTick ?? 256 * 1024;
    while (this.#queue.length > 0 && budget > 0) {
      const data = this.#queue.shift() as string | ArrayBuffer;
      const size = sizeOf(data);
      budget -= size;
      const before = this.bufferedAmount;
      this.bufferedAmount -= size;
      const tampered = this.#options.tamper ? this.#options.tamper(data, this.#index) : data;
      this.#index += 1;
      const target = this.other;
      if (tampered !== null && target) {
        setTimeout(() => {
          if (target.readyState !== 'open') return;
          target.dispatchEvent(Object.assign(new Event('message'), { data: tampered }));
        }, 0);
      }
      if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold) {
        this.dispatchEvent(new Event('bufferedamountlow'));
      }
    }
    if (this.#queue.length > 0) this.#scheduleDrain();
  }
}

/** Two connected channels: what one sends, the other receives. */
export function createChannelPair(
  options: FakeChannelOptions = {},
  receiverOptions: FakeChannelOptions = {},
): [FakeDataChannel, FakeDataChannel] {
  const a = new FakeDataChannel(options);
  const b = new FakeDataChannel({ label: options.label, ...receiverOptions });
  a.other = b;
  b.other = a;
  return [a, b];
}
