// The limits gate on its own, on a clock the test moves: which events pass, which are refused with
// which code and metrics label, and when a client that keeps going is to be cut off.
import { SignalingErrorCode } from '@workbench/core/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { AddressLimits, DEFAULT_ADDRESS_LIMITS } from '../address-limits.js';
import { FLOOD_DISCONNECT_AFTER, LimitsGate, REFUSAL_NOTICES, type ClientRateLimits } from './limits-gate.js';

const LIMITS: ClientRateLimits = {
  messages: { burst: 3, perSecond: 1 },
  joins: { burst: 2, perSecond: 1 },
  messageBytes: { burst: 100, perSecond: 100 },
};

let addressLimits: AddressLimits | undefined;
afterEach(() => {
  addressLimits?.dispose();
  addressLimits = undefined;
});

/** A gate on a hand-moved clock; the address budget is generous unless a test says otherwise. */
function gateFor(address = '192.0.2.1', joins = { burst: 1000, perSecond: 1000 }) {
  addressLimits ??= new AddressLimits({ ...DEFAULT_ADDRESS_LIMITS, joins });
  const clock = { now: 1_000_000 };
  const gate = new LimitsGate(LIMITS, addressLimits, address, () => clock.now);
  return { gate, clock };
}

describe('LimitsGate', () => {
  it('refuses events the protocol does not have, with INVALID_PAYLOAD and its own label', () => {
    const { gate } = gateFor();
    for (const event of ['offer', 'join', 42, undefined]) {
      const refusal = gate.admit(event);
      expect(refusal?.reason).toBe('unknown_event');
      expect(refusal?.failure.error.code).toBe(SignalingErrorCode.InvalidPayload);
      expect(refusal?.failure.error.message).toMatch(/understands 'create or join', 'message' and 'bye'/);
    }
    expect(gate.admit('message')).toBeUndefined();
  });

  it('lets a burst of messages through, refuses the next with RATE_LIMITED, and refills with time', () => {
    const { gate, clock } = gateFor();
    expect([gate.admit('message'), gate.admit('message'), gate.admit('message')]).toEqual([undefined, undefined, undefined]);
    const refusal = gate.admit('message');
    expect(refusal?.reason).toBeUndefined(); // labelled by its code: rate_limited
    expect(refusal?.failure.error).toMatchObject({ code: SignalingErrorCode.RateLimited, event: 'message' });
    expect(refusal?.failure.error.message).toMatch(/at most 1 per second \(bursts of 3\)/);
    clock.now += 999;
    expect(gate.admit('message')).toBeDefined();
    clock.now += 1;
    expect(gate.admit('message')).toBeUndefined();
  });

  it("counts joins and byes together, apart from messages", () => {
    const { gate } = gateFor();
    expect(gate.admit('create or join')).toBeUndefined();
    expect(gate.admit('bye')).toBeUndefined();
    const refusal = gate.admit('create or join');
    expect(refusal?.failure.error).toMatchObject({ code: SignalingErrorCode.RateLimited, event: 'create or join' });
    expect(refusal?.failure.error.message).toMatch(/Too many joins and leaves: at most 1 per second \(bursts of 2\)/);
    expect(gate.admit('bye')).toBeDefined();
    // The message bucket is untouched.
    expect(gate.admit('message')).toBeUndefined();
  });

  it("shares one address's join budget among all its connections, and not with other addresses", () => {
    const joins = { burst: 3, perSecond: 0.001 };
    const first = gateFor('192.0.2.7', joins).gate;
    // A new connection from the same address: fresh buckets of its own, the same address budget.
    const second = gateFor('192.0.2.7', joins).gate;
    expect(first.admit('create or join')).toBeUndefined();
    expect(first.admit('bye')).toBeUndefined();
    expect(second.admit('create or join')).toBeUndefined();
    const refusal = second.admit('create or join');
    expect(refusal?.reason).toBe('address_joins');
    expect(refusal?.failure.error.message).toMatch(/from your address: at most 0\.001 per second \(bursts of 3\)/);
    // Messages do not spend it.
    expect(second.admit('message')).toBeUndefined();
    expect(gateFor('192.0.2.8', joins).gate.admit('create or join')).toBeUndefined();
  });

  it('holds relayed bytes to their budget, separately from the message count', () => {
    const { gate, clock } = gateFor();
    expect(gate.admitBytes(60)).toBeUndefined();
    const refusal = gate.admitBytes(60);
    expect(refusal?.failure.error).toMatchObject({ code: SignalingErrorCode.RateLimited, event: 'message' });
    expect(refusal?.failure.error.message).toMatch(/at most 100 bytes of messages per second \(bursts of 100\)/);
    expect(gate.admitBytes(40)).toBeUndefined();
    clock.now += 600;
    expect(gate.admitBytes(60)).toBeUndefined();
  });

  it(`cuts off a client refused ${FLOOD_DISCONNECT_AFTER} times within the window, however it paces them`, () => {
    const { gate, clock } = gateFor();
    // Refused every 15 ms, far over any limit. The window drains 0.15 between two refusals, so
    // after n of them it holds 1 + 0.85 (n − 1): 99.6 at n = 117, 100.45 at n = 118, about 1.8 s in.
    const verdicts: boolean[] = [];
    for (let i = 0; i < FLOOD_DISCONNECT_AFTER + 20; i += 1) {
      verdicts.push(gate.strike());
      clock.now += 15;
    }
    const cutAt = verdicts.indexOf(true);
    expect(cutAt + 1).toBe(118);
  });

  it('never cuts off a client refused now and then', () => {
    const { gate, clock } = gateFor();
    for (let i = 0; i < 1000; i += 1) {
      expect(gate.strike()).toBe(false);
      clock.now += 110; // a little slower than the window drains
    }
  });

  it('lets refusals out as events at their own rate, so errors cannot amplify a flood', () => {
    const { gate, clock } = gateFor();
    const sent = Array.from({ length: REFUSAL_NOTICES.burst + 5 }, () => gate.mayNotify()).filter(Boolean).length;
    expect(sent).toBe(REFUSAL_NOTICES.burst);
    clock.now += 1000 / REFUSAL_NOTICES.perSecond;
    expect(gate.mayNotify()).toBe(true);
    expect(gate.mayNotify()).toBe(false);
  });
});
