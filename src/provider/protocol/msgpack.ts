/**
 * go-cty msgpack ⇄ the value model of ../framework/cty, on @msgpack/msgpack. Decoding turns the
 * bytes into a generic tree and walks the type over it; encoding walks the type over the value to
 * build the tree go-cty would write (sorted keys, BigNumber as decimal text, dynamic values as
 * [bin(type JSON), value], unknowns through ./msgpack-unknown) and lets the encoder write it.
 * Numbers: a safe integer takes the smallest int form, any other number float64 — the encoder's
 * own rule, and go-cty's.
 */
import { Decoder, Encoder, type DecoderOptions } from '@msgpack/msgpack';
import {
  BigNumber,
  CtyPathError,
  Unknown,
  checkCtyType,
  ctyTypeToJson,
  isDynamicPayload,
  isUnknown,
  numberFromBinary,
  numberFromText,
  parseCtyType,
  setOwn,
  sortedKeys,
  type CtyType,
  type CtyValue,
} from '../framework/cty';
import { CTY_OUTPUT, walkType, type TreeCodec } from './cty-walk';
import { unknownExtensions } from './msgpack-unknown';

/** Decodes go-cty msgpack bytes of `type`; empty or absent bytes are null. */
export function decodeMsgpack(type: CtyType, bytes: Uint8Array | undefined | null): CtyValue {
  if (!bytes || bytes.length === 0) return null;
  let raw: unknown;
  try {
    raw = valueDecoder.decode(bytes);
  } catch (err) {
    throw new Error(`invalid msgpack DynamicValue: ${(err as Error).message}`);
  }
  return walkType(fromMsgpack, type, raw, '');
}

/** Encodes a value of `type` as go-cty msgpack (the unknown value is exactly d4 00 00). */
export function encodeMsgpack(type: CtyType, value: CtyValue): Uint8Array {
  return valueEncoder.encode(walkType(toMsgpack, type, value, ''));
}

const utf8 = new TextDecoder('utf-8');

/**
 * Map keys: @msgpack/msgpack refuses a "__proto__" key and merges string and integer keys, so
 * every str key is handed to us with a marker prepended (through the documented keyDecoder
 * option). A property without the marker came from a non-string key.
 */
const KEY_MARK = '\u0000';
const markedKeys: NonNullable<DecoderOptions['keyDecoder']> = {
  canBeCached: () => true,
  decode: (bytes, offset, length) => KEY_MARK + utf8.decode(bytes.subarray(offset, offset + length)),
};

const valueDecoder = new Decoder({ extensionCodec: unknownExtensions, useBigInt64: true, keyDecoder: markedKeys });
// useBigInt64 stays off: with it the encoder would write safe integers above 2^32 as float64.
// The walk and the call stack bound the depth, not a fixed limit.
const valueEncoder = new Encoder({ extensionCodec: unknownExtensions, maxDepth: Number.POSITIVE_INFINITY });

function isRawMap(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !(raw instanceof Uint8Array) && !(raw instanceof Unknown);
}

function parseTypeHeader(json: string, path: string): CtyType {
  try {
    return parseCtyType(json);
  } catch (err) {
    throw new CtyPathError(path, `bad dynamic value type: ${(err as Error).message}`);
  }
}

const fromMsgpack: TreeCodec<unknown, CtyValue> = {
  leaf: (raw) => (raw === null || raw === undefined ? null : raw instanceof Unknown ? raw : undefined),
  describe: (raw) => {
    if (raw === null || raw === undefined) return 'null';
    if (raw instanceof Unknown) return 'unknown';
    if (raw instanceof Uint8Array) return 'binary';
    if (Array.isArray(raw)) return `array of ${raw.length}`;
    switch (typeof raw) {
      case 'boolean':
        return 'bool';
      case 'number':
      case 'bigint':
        return 'number';
      case 'string':
        return 'string';
      default:
        return 'map';
    }
  },
  string: (raw) => (typeof raw === 'string' ? raw : raw instanceof Uint8Array ? utf8.decode(raw) : undefined),
  bool: (raw) => (typeof raw === 'boolean' ? raw : undefined),
  number: (raw, path) => {
    if (typeof raw === 'number' || typeof raw === 'bigint') {
      if (Number.isNaN(raw)) throw new CtyPathError(path, 'number is required, got NaN');
      return numberFromBinary(raw);
    }
    if (typeof raw !== 'string') return undefined;
    const n = numberFromText(raw);
    if (n === undefined) throw new CtyPathError(path, `number is required, got string ${JSON.stringify(raw)}`);
    return n;
  },
  dynamic: (raw, path) => {
    if (!Array.isArray(raw) || raw.length !== 2) return undefined;
    const [header, value] = raw as [unknown, unknown];
    if (header instanceof Uint8Array) return { type: parseTypeHeader(utf8.decode(header), path), value };
    if (typeof header === 'string') return { type: parseTypeHeader(header, path), value };
    throw new CtyPathError(path, `dynamic value type must be JSON in binary or string, got ${fromMsgpack.describe(header)}`);
  },
  dynamicShape: 'dynamic value [type, value]',
  wrapDynamic: (type, value) => ({ type, value }),
  elements: (raw) => (Array.isArray(raw) ? raw : undefined),
  /** The str keys of a decoded map (marker removed); throws if any key was not a string. */
  entries: (raw, path) => {
    if (!isRawMap(raw)) return undefined;
    return Object.keys(raw).map((k): [string, unknown] => {
      if (!k.startsWith(KEY_MARK)) throw new CtyPathError(path, `map keys must be strings, got ${JSON.stringify(k)}`);
      return [k.slice(KEY_MARK.length), raw[k]];
    });
  },
  ...CTY_OUTPUT,
  objects: { extra: 'fail', missing: 'fail' },
};

function isRecord(v: unknown): v is { [key: string]: CtyValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isUnknown(v) && !(v instanceof BigNumber);
}

/**
 * A map for the encoder with its keys in `order`. The encoder writes Object.keys order, which puts
 * integer-like keys ("9", "10") first in numeric order; go-cty sorts by code point ("10" < "9"),
 * so only such a map gets a view that lists its keys in the sorted order.
 */
function orderedRecord(out: { [key: string]: unknown }, order: readonly string[]): object {
  const keys = Object.keys(out);
  if (keys.every((k, i) => k === order[i])) return out;
  return new Proxy(out, { ownKeys: () => [...order] });
}

const toMsgpack: TreeCodec<CtyValue, unknown> = {
  // An Unknown is left in the tree for the extension codec: ext 0, or ext 12 keeping the
  // refinements Terraform sent (a "prefix-${x}" stays known to start with "prefix-").
  leaf: (v) => (v === null ? null : isUnknown(v) ? v : undefined),
  describe: (v) => {
    if (v === undefined) return 'undefined';
    if (v instanceof BigNumber) return 'number';
    if (Array.isArray(v)) return 'array';
    if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : 'number';
    return typeof v === 'boolean' ? 'bool' : typeof v;
  },
  string: (v) => (typeof v === 'string' ? v : undefined),
  bool: (v) => (typeof v === 'boolean' ? v : undefined),
  number: (v, path) => {
    if (v instanceof BigNumber) return v.text;
    if (typeof v !== 'number') return undefined;
    if (Number.isNaN(v)) throw new CtyPathError(path, 'NaN is not a valid number');
    return v === 0 ? 0 : v;
  },
  dynamic: (v, path) => {
    if (!isDynamicPayload(v)) return undefined;
    try {
      return { type: checkCtyType(v.type), value: v.value };
    } catch (err) {
      throw new CtyPathError(path, `bad dynamic value type: ${(err as Error).message}`);
    }
  },
  dynamicShape: 'dynamic value {type, value}',
  wrapDynamic: (type, value) => [Buffer.from(ctyTypeToJson(type), 'utf8'), value],
  elements: (v) => (Array.isArray(v) ? v : undefined),
  entries: (v) => (isRecord(v) ? sortedKeys(v).map((k): [string, CtyValue] => [k, v[k]]) : undefined),
  record: (entries) => {
    const out: { [key: string]: unknown } = {};
    for (const [k, v] of entries) setOwn(out, k, v);
    return orderedRecord(
      out,
      entries.map(([k]) => k),
    );
  },
  list: (items) => items,
  dedupe: 'input',
  objects: { extra: 'fail', missing: 'fail', extraHint: ' (not in the schema type)', missingHint: ' (use null for an absent value)' },
};
