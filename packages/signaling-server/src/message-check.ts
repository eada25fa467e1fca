/**
 * The relay's validation, on the hot path. The protocol's schema (valibot) decides what a message
 * may be; this file answers the same question cheaper for the messages real clients send:
 *
 * - the byte limit is checked without serialising the message when a cheap upper bound already
 *   proves it small (`validateSignalMessage` stringifies and encodes every payload to measure it,
 *   which under load cost more server CPU than the relay itself);
 * - an exact pre-check compiled from that same schema accepts a message that has only the schema's
 *   own fields, each of the right type and within its limits. valibot would accept such a message
 *   and output an object equal to it, so the message itself is relayed and valibot's per-call
 *   dataset, issue and output objects are skipped.
 *
 * Anything the pre-check does not accept (extra fields, a wrong type, a limit broken, a payload
 * that may be too large) goes through valibot and then the protocol's `validateSignalMessage`, so
 * every refusal carries exactly the protocol's coded error. The pre-check is generated from the
 * schema's own description rather than written out by hand, so the protocol stays the one place
 * that defines a message; a schema construct it does not know makes it step aside, never guess.
 */
import { signalMessageSchema, validateSignalMessage, type SignalMessage, type Validated } from '@workbench/core/protocol';
import * as v from 'valibot';

/** Bytes a JSON-encoded string can take at most: 3 per UTF-16 unit (or 6 for an escape), plus quotes. */
function stringBound(value: string): number {
  return value.length * 6 + 2;
}

/**
 * An upper bound on `payloadBytes(value)` for a string or a flat object of strings, numbers,
 * booleans and null; `Infinity` for anything else (which then gets measured exactly).
 */
export function payloadBytesUpperBound(value: unknown): number {
  if (typeof value === 'string') return stringBound(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return Number.POSITIVE_INFINITY;
  let bound = 2;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const field = (value as Record<string, unknown>)[key];
    bound += stringBound(key) + 2;
    if (typeof field === 'string') bound += stringBound(field);
    else if (typeof field === 'number' || typeof field === 'boolean' || field === null || field === undefined) bound += 24;
    else return Number.POSITIVE_INFINITY;
  }
  return bound;
}

/**
 * About the bytes a checked message puts on the wire, without serialising it: what the per-sender
 * byte budget charges on the hot path. Unlike the upper bound above (6 bytes a character, so that a
 * message under it is certainly under the limit), this counts a character as one byte: the budget
 * is a rate, and charging ASCII SDP six times over would cut it to a sixth.
 */
export function payloadBytesEstimate(message: unknown): number {
  if (typeof message === 'string') return message.length + 2;
  let bytes = 2;
  for (const key in message as Record<string, unknown>) {
    const field = (message as Record<string, unknown>)[key];
    bytes += key.length + 4 + (typeof field === 'string' ? field.length : 8);
  }
  return bytes;
}

/** `true`: valibot accepts `input` and outputs a value equal to it. `false`: ask valibot. */
type ExactCheck = (input: unknown) => boolean;

/** The parts of a valibot schema or action description the compiler reads. */
interface SchemaNode {
  kind: string;
  type: string;
  pipe?: readonly SchemaNode[];
  wrapped?: SchemaNode;
  entries?: Record<string, SchemaNode>;
  options?: readonly unknown[];
  key?: string;
  literal?: unknown;
  requirement?: unknown;
  default?: unknown;
  fallback?: unknown;
}

/** Checks a piped action adds to a string or number schema; `undefined` for an action not known here. */
function compileAction(action: SchemaNode): ((value: never) => boolean) | undefined {
  const limit = action.requirement;
  if (action.type === 'max_length' && typeof limit === 'number') return (value: string) => value.length <= limit;
  if (action.type === 'min_length' && typeof limit === 'number') return (value: string) => value.length >= limit;
  if (action.type === 'max_value' && typeof limit === 'number') return (value: number) => value <= limit;
  if (action.type === 'min_value' && typeof limit === 'number') return (value: number) => value >= limit;
  if (action.type === 'integer') return (value: number) => Number.isInteger(value);
  return undefined;
}

/** Accepts what `typeOk` accepts and every action of the schema's pipe allows. */
function withPipe(node: SchemaNode, typeOk: (input: unknown) => boolean): ExactCheck | undefined {
  const actions: ((value: never) => boolean)[] = [];
  for (const action of node.pipe?.slice(1) ?? []) {
    const check = action.kind === 'validation' ? compileAction(action) : undefined;
    if (check === undefined) return undefined; // a transformation, or a rule not known here
    actions.push(check);
  }
  if (actions.length === 0) return typeOk;
  return (input) => typeOk(input) && actions.every((check) => check(input as never));
}

/** What a union or variant needs: can this option possibly accept the input? `false` is certain. */
function mayAccept(node: SchemaNode, input: unknown): boolean {
  if (node.type === 'literal') return input === node.literal;
  if (node.type === 'object' || node.type === 'variant') return typeof input === 'object' && input !== null;
  return true;
}

function compileObject(node: SchemaNode): ExactCheck | undefined {
  const fields = new Map<string, { check: ExactCheck; optional: boolean }>();
  for (const [key, entry] of Object.entries(node.entries ?? {})) {
    // `key in input` (valibot's test) would see inherited names like "toString" on any object.
    if (key in Object.prototype || entry.fallback !== undefined) return undefined;
    const optional = entry.type === 'optional';
    if (optional && entry.default !== undefined) return undefined;
    const check = compile(optional && entry.wrapped !== undefined ? entry.wrapped : entry);
    if (check === undefined) return undefined;
    fields.set(key, { check, optional });
  }
  const required = [...fields].filter(([, field]) => !field.optional).map(([key]) => key);
  return (input) => {
    // Parsed JSON is always a plain object; anything else is left to valibot.
    if (typeof input !== 'object' || input === null || Object.getPrototypeOf(input) !== Object.prototype) return false;
    const record = input as Record<string, unknown>;
    for (const key in record) {
      // A field the schema does not name would be stripped by valibot: not equal, so not here.
      const field = fields.get(key);
      if (field === undefined || !field.check(record[key])) return false;
    }
    for (const key of required) if (!Object.hasOwn(record, key)) return false;
    return true;
  };
}

function compileVariant(node: SchemaNode): ExactCheck | undefined {
  const key = node.key;
  if (key === undefined) return undefined;
  const options: { discriminator: ExactCheck; check: ExactCheck }[] = [];
  for (const option of (node.options ?? []) as SchemaNode[]) {
    if (option.type !== 'object') return undefined; // nested variants pick options differently
    const tag = option.entries?.[key];
    if (tag === undefined || (tag.type !== 'literal' && tag.type !== 'picklist')) return undefined;
    const discriminator = compile(tag);
    const check = compileObject(option);
    if (discriminator === undefined || check === undefined) return undefined;
    options.push({ discriminator, check });
  }
  // valibot runs the first option whose discriminator matches; earlier ones cannot have matched.
  return (input) => {
    if (typeof input !== 'object' || input === null || !Object.hasOwn(input, key)) return false;
    const tag = (input as Record<string, unknown>)[key];
    for (const option of options) if (option.discriminator(tag)) return option.check(input);
    return false;
  };
}

function compileUnion(node: SchemaNode): ExactCheck | undefined {
  const options: { node: SchemaNode; check: ExactCheck }[] = [];
  for (const option of (node.options ?? []) as SchemaNode[]) {
    const check = compile(option);
    if (check === undefined) return undefined;
    options.push({ node: option, check });
  }
  // valibot outputs the first option that succeeds: only an option every earlier one certainly
  // refuses may answer for it.
  return (input) => {
    for (const option of options) if (mayAccept(option.node, input)) return option.check(input);
    return false;
  };
}

/** An exact pre-check for `node`, or `undefined` where the schema uses something not handled here. */
function compile(node: SchemaNode): ExactCheck | undefined {
  if (node.kind !== 'schema') return undefined;
  switch (node.type) {
    case 'string':
      return withPipe(node, (input) => typeof input === 'string');
    case 'number':
      return withPipe(node, (input) => typeof input === 'number' && !Number.isNaN(input));
    case 'boolean':
      return withPipe(node, (input) => typeof input === 'boolean');
    case 'literal': {
      const literal = node.literal;
      if (node.pipe !== undefined || (typeof literal !== 'string' && typeof literal !== 'boolean' && !Number.isFinite(literal))) return undefined;
      return (input) => input === literal;
    }
    case 'picklist': {
      const options = node.options ?? [];
      if (node.pipe !== undefined || !options.every((option) => typeof option === 'string')) return undefined;
      return (input) => typeof input === 'string' && (options as readonly string[]).includes(input);
    }
    case 'nullable': {
      if (node.default !== undefined || node.wrapped === undefined) return undefined;
      const wrapped = compile(node.wrapped);
      return wrapped && ((input) => input === null || wrapped(input));
    }
    case 'object':
      return node.pipe === undefined ? compileObject(node) : undefined;
    case 'variant':
      return node.pipe === undefined ? compileVariant(node) : undefined;
    case 'union':
      return node.pipe === undefined ? compileUnion(node) : undefined;
    default:
      return undefined;
  }
}

const NEVER: ExactCheck = () => false;

/**
 * The protocol's message schema as an exact pre-check: `true` only where valibot would accept the
 * message and output a value equal to it (byte limit not included). Exported for its tests.
 */
export const isExactSignalMessage: ExactCheck = compile(signalMessageSchema as unknown as SchemaNode) ?? NEVER;

/** Same answers as the protocol's `validateSignalMessage(input, maxBytes)`, cheaper for the common case. */
export function checkSignalMessage(input: unknown, maxBytes: number): Validated<SignalMessage> {
  if (payloadBytesUpperBound(input) <= maxBytes) {
    if (isExactSignalMessage(input)) return { ok: true, value: input as SignalMessage };
    const result = v.safeParse(signalMessageSchema, input);
    if (result.success) return { ok: true, value: result.output };
  }
  return validateSignalMessage(input, maxBytes);
}
