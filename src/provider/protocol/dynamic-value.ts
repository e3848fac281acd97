/**
 * Codecs between Terraform's DynamicValue encodings (go-cty msgpack and JSON) and the value model
 * of ./cty. Every function walks the schema type alongside the data; the shape of a JS value is
 * never used to guess its type.
 */
import { Decoder, type DecoderOptions, type ExtensionCodecType } from '@msgpack/msgpack';
import {
  BigNumber,
  CtyPathError,
  UNKNOWN,
  Unknown,
  Refinement,
  checkCtyType,
  ctyEqual,
  ctyTypeName,
  ctyTypeToJson,
  containsUnknown,
  formatKeyStep,
  hasOwn,
  isDynamicPayload,
  isUnknown,
  numberFromBinary,
  numberFromText,
  parseCtyType,
  setOwn,
  sortedKeys,
  type CtyType,
  type CtyValue,
  type DynamicPayload,
} from '../framework/cty';

/** tfplugin6.DynamicValue as proto-loader hands it over. */
export interface DynamicValueMessage {
  msgpack?: Uint8Array | null;
  json?: Uint8Array | null;
}

/** Decodes go-cty msgpack bytes of `type`; empty or absent bytes are null. */
export function decodeMsgpack(type: CtyType, bytes: Uint8Array | undefined | null): CtyValue {
  if (!bytes || bytes.length === 0) return null;
  let raw: unknown;
  try {
    raw = valueDecoder.decode(bytes);
  } catch (err) {
    throw new Error(`invalid msgpack DynamicValue: ${(err as Error).message}`);
  }
  return fromMsgpack(type, raw, '');
}

/** Encodes a value of `type` as go-cty msgpack (the unknown value is exactly d4 00 00). */
export function encodeMsgpack(type: CtyType, value: CtyValue): Uint8Array {
  const w = new MsgpackWriter();
  toMsgpack(type, value, '', w);
  return w.finish();
}

/** Decodes go-cty JSON (text or UTF-8 bytes) of `type`. JSON cannot carry unknown values. */
export function decodeJson(type: CtyType, json: string | Uint8Array, options: JsonDecodeOptions = {}): CtyValue {
  return fromJson(type, readJson(json), '', options.dropUndefinedAttributes === true);
}

/** Options of {@link decodeJson}. */
export interface JsonDecodeOptions {
  /**
   * Drop object attributes the type does not declare instead of failing (stored state of the
   * current schema version that still holds an attribute removed without a version bump).
   */
  readonly dropUndefinedAttributes?: boolean;
}

/**
 * Parses JSON without a type and without losing precision: numbers that a JS number cannot hold
 * exactly become BigNumber, objects plain objects (any key, "__proto__" included, is just a key).
 * For state upgraders, which read a stored state of an older schema.
 */
export function parseJsonLossless(json: string | Uint8Array): CtyValue {
  return losslessJson(readJson(json), '');
}

function readJson(json: string | Uint8Array): JsonRaw {
  const text = typeof json === 'string' ? json : utf8.decode(json);
  try {
    return new JsonReader(text).parse();
  } catch (err) {
    throw new Error(`invalid JSON DynamicValue: ${(err as Error).message}`);
  }
}

/** Encodes a value of `type` as go-cty JSON. Throws on unknown values, which JSON cannot carry. */
export function encodeJson(type: CtyType, value: CtyValue): string {
  const out: string[] = [];
  toJson(type, value, '', out);
  return out.join('');
}

/** Decodes a tfplugin6 DynamicValue {msgpack?, json?}: msgpack if non-empty, else json, else null. */
export function decodeDynamicValue(type: CtyType, dv: DynamicValueMessage | null | undefined): CtyValue {
  if (dv?.msgpack && dv.msgpack.length > 0) return decodeMsgpack(type, dv.msgpack);
  if (dv?.json && dv.json.length > 0) return decodeJson(type, dv.json);
  return null;
}

/** Encodes a value as a tfplugin6 DynamicValue (msgpack form, which Terraform always accepts). */
export function encodeDynamicValue(type: CtyType, value: CtyValue): { msgpack: Uint8Array } {
  return { msgpack: encodeMsgpack(type, value) };
}

// ---------------------------------------------------------------------------------------------
// msgpack decoding: @msgpack/msgpack turns the bytes into a generic tree, then the type walks it.

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

/** Every extension type is an unknown value (go-cty has no other extension); 12 carries refinements. */
const EXT_REFINED_UNKNOWN = 12;
const unknownExtensions: ExtensionCodecType<undefined> = {
  tryToEncode: () => null,
  decode: (data, extType) => (extType === EXT_REFINED_UNKNOWN ? decodeRefinedUnknown(data) : UNKNOWN),
};

const valueDecoder = new Decoder({ extensionCodec: unknownExtensions, useBigInt64: true, keyDecoder: markedKeys });
const refinementDecoder = new Decoder({ useBigInt64: true });

/**
 * The payload of ext 12 is a map with integer keys (see Refinement). Refinements only narrow what
 * the value may become, so a payload we cannot read still gives a valid (plain) unknown.
 */
function decodeRefinedUnknown(data: Uint8Array): Unknown {
  let raw: unknown;
  try {
    raw = refinementDecoder.decode(data);
  } catch {
    return UNKNOWN;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || raw instanceof Uint8Array) return UNKNOWN;
  const refinements = new Map<number, unknown>();
  for (const [k, v] of Object.entries(raw)) {
    const key = Number(k);
    if (!Number.isInteger(key)) continue;
    if ((key === Refinement.NumberLowerBound || key === Refinement.NumberUpperBound) && Array.isArray(v) && v.length === 2) {
      const bound = rawNumber(v[0]);
      if (bound !== undefined) refinements.set(key, [bound, v[1] === true]);
    } else {
      refinements.set(key, normaliseNumbers(v));
    }
  }
  return refinements.size > 0 ? new Unknown(refinements) : UNKNOWN;
}

function normaliseNumbers(v: unknown): unknown {
  if (typeof v === 'bigint') return numberFromBinary(v);
  if (Array.isArray(v)) return v.map(normaliseNumbers);
  return v;
}

function rawNumber(v: unknown): number | BigNumber | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return Number.isNaN(v) ? undefined : numberFromBinary(v);
  if (typeof v === 'string') return numberFromText(v);
  return undefined;
}

function describeRaw(raw: unknown): string {
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
}

function isRawMap(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !(raw instanceof Uint8Array) && !(raw instanceof Unknown);
}

/** The str keys of a decoded map (marker removed); throws if any key was not a string. */
function rawMapEntries(raw: Record<string, unknown>, path: string): [string, unknown][] {
  return Object.keys(raw).map((k) => {
    if (!k.startsWith(KEY_MARK)) throw new CtyPathError(path, `map keys must be strings, got ${JSON.stringify(k)}`);
    return [k.slice(KEY_MARK.length), raw[k]];
  });
}

function fromMsgpack(type: CtyType, raw: unknown, path: string): CtyValue {
  if (raw === null || raw === undefined) return null;
  if (raw instanceof Unknown) return raw;
  const wrong = (what: string): never => {
    throw new CtyPathError(path, `${what} is required, got ${describeRaw(raw)}`);
  };
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        if (typeof raw === 'string') return raw;
        if (raw instanceof Uint8Array) return utf8.decode(raw);
        return wrong('string');
      case 'bool':
        return typeof raw === 'boolean' ? raw : wrong('bool');
      case 'number': {
        if (typeof raw === 'number' || typeof raw === 'bigint') {
          if (Number.isNaN(raw)) throw new CtyPathError(path, 'number is required, got NaN');
          return numberFromBinary(raw);
        }
        if (typeof raw === 'string') {
          const n = numberFromText(raw);
          if (n === undefined) throw new CtyPathError(path, `number is required, got string ${JSON.stringify(raw)}`);
          return n;
        }
        return wrong('number');
      }
      case 'dynamic': {
        if (!Array.isArray(raw) || raw.length !== 2) return wrong('dynamic value [type, value]');
        const [header, inner] = raw as [unknown, unknown];
        let concrete: CtyType;
        if (header instanceof Uint8Array) concrete = parseTypeHeader(utf8.decode(header), path);
        else if (typeof header === 'string') concrete = parseTypeHeader(header, path);
        else throw new CtyPathError(path, `dynamic value type must be JSON in binary or string, got ${describeRaw(header)}`);
        return { type: concrete, value: fromMsgpack(concrete, inner, path) };
      }
    }
  }
  switch (type[0]) {
    case 'list':
    case 'set': {
      if (!Array.isArray(raw)) return wrong(type[0]);
      const et = type[1];
      const items = raw.map((e, i) => fromMsgpack(et, e, `${path}[${i}]`));
      return type[0] === 'set' ? dedupeSet(et, items) : items;
    }
    case 'tuple': {
      const ets = type[1];
      if (!Array.isArray(raw)) return wrong(`tuple of ${ets.length}`);
      if (raw.length !== ets.length) throw new CtyPathError(path, `a tuple of length ${ets.length} is required, got ${raw.length} elements`);
      return ets.map((et, i) => fromMsgpack(et, raw[i], `${path}[${i}]`));
    }
    case 'map': {
      if (!isRawMap(raw)) return wrong(ctyTypeName(type));
      const et = type[1];
      const out: { [key: string]: CtyValue } = {};
      for (const [k, v] of rawMapEntries(raw, path)) setOwn(out, k, fromMsgpack(et, v, `${path}[${JSON.stringify(k)}]`));
      return out;
    }
    case 'object': {
      if (!isRawMap(raw)) return wrong('object');
      const attrs = type[1];
      const out: { [key: string]: CtyValue } = {};
      for (const [k, v] of rawMapEntries(raw, path)) {
        if (!hasOwn(attrs, k)) throw new CtyPathError(path + formatKeyStep(k), 'unsupported attribute');
        setOwn(out, k, fromMsgpack(attrs[k], v, path + formatKeyStep(k)));
      }
      for (const k of Object.keys(attrs)) if (!hasOwn(out, k)) throw new CtyPathError(path + formatKeyStep(k), 'attribute is missing');
      return out;
    }
  }
  throw new CtyPathError(path, `unsupported type ${JSON.stringify(type)}`);
}

function parseTypeHeader(json: string, path: string): CtyType {
  try {
    return parseCtyType(json);
  } catch (err) {
    throw new CtyPathError(path, `bad dynamic value type: ${(err as Error).message}`);
  }
}

/** Set semantics: equal elements collapse; elements with unknowns are never equal (as in cty). */
function dedupeSet(et: CtyType, items: CtyValue[]): CtyValue[] {
  const out: CtyValue[] = [];
  for (const item of items) {
    const dup = !containsUnknown(item) && out.some((o) => !containsUnknown(o) && ctyEqual(et, o, item));
    if (!dup) out.push(item);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// msgpack encoding: a small writer for the few forms go-cty uses.

class MsgpackWriter {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  private pos = 0;

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private u8(b: number): void {
    this.reserve(1);
    this.buf[this.pos++] = b;
  }

  private header(small: number, smallMax: number, n: number, c8: number | undefined, c16: number, c32: number): void {
    if (n <= smallMax) this.u8(small | n);
    else if (c8 !== undefined && n <= 0xff) {
      this.u8(c8);
      this.u8(n);
    } else if (n <= 0xffff) {
      this.u8(c16);
      this.reserve(2);
      this.view.setUint16(this.pos, n);
      this.pos += 2;
    } else {
      this.u8(c32);
      this.reserve(4);
      this.view.setUint32(this.pos, n);
      this.pos += 4;
    }
  }

  private bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  nil(): void {
    this.u8(0xc0);
  }

  bool(b: boolean): void {
    this.u8(b ? 0xc3 : 0xc2);
  }

  /** The unknown value, exactly as Terraform writes it: fixext1, type 0, one zero byte. */
  unknown(): void {
    this.reserve(3);
    this.buf.set([0xd4, 0x00, 0x00], this.pos);
    this.pos += 3;
  }

  /** An unknown with refinements: ext 12 whose payload is the refinement map, as go-cty writes it. */
  refinedUnknown(payload: Uint8Array): void {
    const n = payload.length;
    const fixed: Record<number, number> = { 1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8 };
    if (fixed[n] !== undefined) this.u8(fixed[n]);
    else if (n <= 0xff) {
      this.u8(0xc7);
      this.u8(n);
    } else if (n <= 0xffff) {
      this.u8(0xc8);
      this.reserve(2);
      this.view.setUint16(this.pos, n);
      this.pos += 2;
    } else {
      this.u8(0xc9);
      this.reserve(4);
      this.view.setUint32(this.pos, n);
      this.pos += 4;
    }
    this.u8(EXT_REFINED_UNKNOWN);
    this.bytes(payload);
  }

  /** A number as go-cty writes it: the smallest int form when it is a safe integer, else float64. */
  float64OrInt(n: number): void {
    if (Number.isSafeInteger(n)) this.int(n === 0 ? 0 : n);
    else this.float64(n);
  }

  /** A safe integer in the smallest int form. */
  int(n: number): void {
    if (n >= 0 && n < 0x80) return this.u8(n);
    if (n < 0 && n >= -32) return this.u8(n & 0xff);
    this.reserve(9);
    const v = this.view;
    const at = this.pos + 1;
    if (n > 0xffffffff) {
      this.buf[this.pos] = 0xcf;
      v.setBigUint64(at, BigInt(n));
      this.pos += 9;
    } else if (n > 0xffff) {
      this.buf[this.pos] = 0xce;
      v.setUint32(at, n);
      this.pos += 5;
    } else if (n > 0xff) {
      this.buf[this.pos] = 0xcd;
      v.setUint16(at, n);
      this.pos += 3;
    } else if (n >= 0) {
      this.buf[this.pos] = 0xcc;
      v.setUint8(at, n);
      this.pos += 2;
    } else if (n >= -0x80) {
      this.buf[this.pos] = 0xd0;
      v.setInt8(at, n);
      this.pos += 2;
    } else if (n >= -0x8000) {
      this.buf[this.pos] = 0xd1;
      v.setInt16(at, n);
      this.pos += 3;
    } else if (n >= -0x80000000) {
      this.buf[this.pos] = 0xd2;
      v.setInt32(at, n);
      this.pos += 5;
    } else {
      this.buf[this.pos] = 0xd3;
      v.setBigInt64(at, BigInt(n));
      this.pos += 9;
    }
  }

  float64(n: number): void {
    this.reserve(9);
    this.buf[this.pos++] = 0xcb;
    this.view.setFloat64(this.pos, n);
    this.pos += 8;
  }

  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.header(0xa0, 31, b.length, 0xd9, 0xda, 0xdb);
    this.bytes(b);
  }

  bin(b: Uint8Array): void {
    if (b.length <= 0xff) {
      this.u8(0xc4);
      this.u8(b.length);
    } else this.header(0, -1, b.length, undefined, 0xc5, 0xc6);
    this.bytes(b);
  }

  array(n: number): void {
    this.header(0x90, 15, n, undefined, 0xdc, 0xdd);
  }

  map(n: number): void {
    this.header(0x80, 15, n, undefined, 0xde, 0xdf);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (isUnknown(v)) return 'unknown';
  if (v instanceof BigNumber) return 'number';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isNaN(v) ? 'NaN' : 'number';
    case 'string':
      return 'string';
    case 'object':
      return 'object';
    default:
      return typeof v;
  }
}

function isRecord(v: unknown): v is { [key: string]: CtyValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isUnknown(v) && !(v instanceof BigNumber);
}

/** Shared checks for both encoders: the value's shape against the type, attribute by attribute. */
function expect(what: string, v: unknown, path: string): never {
  throw new CtyPathError(path, `${what} is required, got ${describeValue(v)}`);
}

function checkNumber(v: unknown, path: string): number | BigNumber {
  if (v instanceof BigNumber) return v;
  if (typeof v !== 'number') return expect('number', v, path);
  if (Number.isNaN(v)) throw new CtyPathError(path, 'NaN is not a valid number');
  return v;
}

function checkDynamic(v: unknown, path: string): DynamicPayload {
  if (!isDynamicPayload(v)) return expect('dynamic value {type, value}', v, path);
  try {
    return { type: checkCtyType(v.type), value: v.value };
  } catch (err) {
    throw new CtyPathError(path, `bad dynamic value type: ${(err as Error).message}`);
  }
}

/** The attributes of an object value in sorted order; throws on missing or extra attributes. */
function objectEntries(attrs: { readonly [name: string]: CtyType }, v: { [key: string]: CtyValue }, path: string): [string, CtyType, CtyValue][] {
  for (const k of Object.keys(v)) if (!hasOwn(attrs, k)) throw new CtyPathError(path + formatKeyStep(k), 'unsupported attribute (not in the schema type)');
  return sortedKeys(attrs).map((k) => {
    if (!hasOwn(v, k)) throw new CtyPathError(path + formatKeyStep(k), 'attribute is missing (use null for an absent value)');
    return [k, attrs[k], v[k]];
  });
}

/**
 * The ext 12 payload for refinements Terraform sent: a map keyed by the Refinement numbers, number
 * bounds as [bound, inclusive] (a BigNumber bound as its decimal text, which go-cty reads).
 */
function refinementPayload(refinements: ReadonlyMap<number, unknown>): Uint8Array {
  const w = new MsgpackWriter();
  const scalar = (x: unknown): void => {
    if (typeof x === 'boolean') w.bool(x);
    else if (typeof x === 'string') w.str(x);
    else if (x instanceof BigNumber) w.str(x.text);
    else if (typeof x === 'number') w.float64OrInt(x);
    else w.nil();
  };
  w.map(refinements.size);
  for (const [key, value] of refinements) {
    w.int(key);
    if (Array.isArray(value)) {
      w.array(value.length);
      value.forEach(scalar);
    } else scalar(value);
  }
  return w.finish();
}

function toMsgpack(type: CtyType, v: CtyValue, path: string, w: MsgpackWriter): void {
  if (v === null) return w.nil();
  // Refinements Terraform sent are kept (a "prefix-${x}" stays known to start with "prefix-").
  if (isUnknown(v)) return v.refinements ? w.refinedUnknown(refinementPayload(v.refinements)) : w.unknown();
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        return typeof v === 'string' ? w.str(v) : expect('string', v, path);
      case 'bool':
        return typeof v === 'boolean' ? w.bool(v) : expect('bool', v, path);
      case 'number': {
        const n = checkNumber(v, path);
        if (n instanceof BigNumber) return w.str(n.text);
        return Number.isSafeInteger(n) ? w.int(n === 0 ? 0 : n) : w.float64(n);
      }
      case 'dynamic': {
        const d = checkDynamic(v, path);
        w.array(2);
        w.bin(Buffer.from(ctyTypeToJson(d.type), 'utf8'));
        return toMsgpack(d.type, d.value, path, w);
      }
    }
  }
  switch (type[0]) {
    case 'list':
    case 'set': {
      if (!Array.isArray(v)) return expect(type[0], v, path);
      const et = type[1];
      const items = type[0] === 'set' ? dedupeSet(et, v) : v;
      w.array(items.length);
      items.forEach((e, i) => toMsgpack(et, e, `${path}[${i}]`, w));
      return;
    }
    case 'tuple': {
      const ets = type[1];
      if (!Array.isArray(v)) return expect(`tuple of ${ets.length}`, v, path);
      if (v.length !== ets.length) throw new CtyPathError(path, `a tuple of length ${ets.length} is required, got ${v.length} elements`);
      w.array(ets.length);
      ets.forEach((et, i) => toMsgpack(et, v[i], `${path}[${i}]`, w));
      return;
    }
    case 'map': {
      if (!isRecord(v)) return expect(ctyTypeName(type), v, path);
      const et = type[1];
      const keys = sortedKeys(v);
      w.map(keys.length);
      for (const k of keys) {
        w.str(k);
        toMsgpack(et, v[k], `${path}[${JSON.stringify(k)}]`, w);
      }
      return;
    }
    case 'object': {
      if (!isRecord(v)) return expect('object', v, path);
      const entries = objectEntries(type[1], v, path);
      w.map(entries.length);
      for (const [k, at, av] of entries) {
        w.str(k);
        toMsgpack(at, av, path + formatKeyStep(k), w);
      }
      return;
    }
  }
  throw new CtyPathError(path, `unsupported type ${JSON.stringify(type)}`);
}

// ---------------------------------------------------------------------------------------------
// JSON: a small reader that keeps number tokens as text (so no precision is lost) and objects as
// Maps (so any key, "__proto__" included, is just a key).

class JsonNumber {
  constructor(readonly text: string) {}
}
type JsonRaw = null | boolean | string | JsonNumber | JsonRaw[] | Map<string, JsonRaw>;

// JSON strings may not hold raw control characters, hence the range in the class.
// eslint-disable-next-line no-control-regex
const JSON_STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const JSON_NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class JsonReader {
  private pos = 0;
  constructor(private readonly s: string) {}

  parse(): JsonRaw {
    const v = this.value();
    this.ws();
    if (this.pos !== this.s.length) this.fail('unexpected text after the value');
    return v;
  }

  private fail(msg: string): never {
    throw new Error(`${msg} at offset ${this.pos}`);
  }

  private ws(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      this.pos++;
    }
  }

  private match(re: RegExp): string | undefined {
    re.lastIndex = this.pos;
    const m = re.exec(this.s);
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  private literal(word: string): void {
    if (!this.s.startsWith(word, this.pos)) this.fail('unexpected token');
    this.pos += word.length;
  }

  private string(): string {
    const tok = this.match(JSON_STRING);
    if (tok === undefined) this.fail('bad string');
    return JSON.parse(tok) as string;
  }

  private value(): JsonRaw {
    this.ws();
    switch (this.s[this.pos]) {
      case '{': {
        this.pos++;
        const out = new Map<string, JsonRaw>();
        this.ws();
        if (this.s[this.pos] === '}') {
          this.pos++;
          return out;
        }
        for (;;) {
          this.ws();
          if (this.s[this.pos] !== '"') this.fail('expected an object key');
          const k = this.string();
          this.ws();
          if (this.s[this.pos++] !== ':') this.fail('expected ":"');
          out.set(k, this.value());
          this.ws();
          const c = this.s[this.pos++];
          if (c === '}') return out;
          if (c !== ',') this.fail('expected "," or "}"');
        }
      }
      case '[': {
        this.pos++;
        const out: JsonRaw[] = [];
        this.ws();
        if (this.s[this.pos] === ']') {
          this.pos++;
          return out;
        }
        for (;;) {
          out.push(this.value());
          this.ws();
          const c = this.s[this.pos++];
          if (c === ']') return out;
          if (c !== ',') this.fail('expected "," or "]"');
        }
      }
      case '"':
        return this.string();
      case 't':
        this.literal('true');
        return true;
      case 'f':
        this.literal('false');
        return false;
      case 'n':
        this.literal('null');
        return null;
      default: {
        const tok = this.match(JSON_NUMBER_TOKEN);
        if (tok === undefined) this.fail('unexpected token');
        return new JsonNumber(tok);
      }
    }
  }
}

function describeJson(raw: JsonRaw): string {
  if (raw === null) return 'null';
  if (raw instanceof JsonNumber) return 'number';
  if (raw instanceof Map) return 'object';
  if (Array.isArray(raw)) return `array of ${raw.length}`;
  return typeof raw === 'boolean' ? 'bool' : 'string';
}

/**
 * JSON decoding follows go-cty's JSON unmarshalling, which is lenient where msgpack is not: a
 * string also accepts number and bool tokens, a number accepts a numeric string, a bool accepts
 * "true"/"false", and an object's absent attributes are null (old stored state lacks new ones).
 */
function fromJson(type: CtyType, raw: JsonRaw, path: string, dropUndefined = false): CtyValue {
  if (raw === null) return null;
  const wrong = (what: string): never => {
    throw new CtyPathError(path, `${what} is required, got ${describeJson(raw)}`);
  };
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        if (typeof raw === 'string') return raw;
        if (raw instanceof JsonNumber) return raw.text;
        if (typeof raw === 'boolean') return raw ? 'true' : 'false';
        return wrong('string');
      case 'bool':
        if (typeof raw === 'boolean') return raw;
        if (raw === 'true' || raw === 'false') return raw === 'true';
        return wrong('bool');
      case 'number': {
        const text = raw instanceof JsonNumber ? raw.text : typeof raw === 'string' ? raw : undefined;
        if (text === undefined) return wrong('number');
        const n = numberFromText(text);
        if (n === undefined) throw new CtyPathError(path, `number is required, got string ${JSON.stringify(text)}`);
        return n;
      }
      case 'dynamic': {
        if (!(raw instanceof Map)) return wrong('dynamic value {"value", "type"}');
        for (const k of raw.keys()) if (k !== 'value' && k !== 'type') throw new CtyPathError(path, `invalid key ${JSON.stringify(k)} in dynamic value`);
        if (!raw.has('type')) throw new CtyPathError(path, 'dynamic value has no "type"');
        if (!raw.has('value')) throw new CtyPathError(path, 'dynamic value has no "value"');
        let concrete: CtyType;
        try {
          concrete = checkCtyType(plainJson(raw.get('type') as JsonRaw));
        } catch (err) {
          throw new CtyPathError(path, `bad dynamic value type: ${(err as Error).message}`);
        }
        return { type: concrete, value: fromJson(concrete, raw.get('value') as JsonRaw, path, dropUndefined) };
      }
    }
  }
  switch (type[0]) {
    case 'list':
    case 'set': {
      if (!Array.isArray(raw)) return wrong(type[0]);
      const et = type[1];
      const items = raw.map((e, i) => fromJson(et, e, `${path}[${i}]`, dropUndefined));
      return type[0] === 'set' ? dedupeSet(et, items) : items;
    }
    case 'tuple': {
      const ets = type[1];
      if (!Array.isArray(raw)) return wrong(`tuple of ${ets.length}`);
      if (raw.length !== ets.length) throw new CtyPathError(path, `a tuple of length ${ets.length} is required, got ${raw.length} elements`);
      return ets.map((et, i) => fromJson(et, raw[i], `${path}[${i}]`, dropUndefined));
    }
    case 'map': {
      if (!(raw instanceof Map)) return wrong(ctyTypeName(type));
      const et = type[1];
      const out: { [key: string]: CtyValue } = {};
      for (const [k, v] of raw) setOwn(out, k, fromJson(et, v, `${path}[${JSON.stringify(k)}]`, dropUndefined));
      return out;
    }
    case 'object': {
      if (!(raw instanceof Map)) return wrong('object');
      const attrs = type[1];
      const out: { [key: string]: CtyValue } = {};
      for (const [k, v] of raw) {
        if (!hasOwn(attrs, k)) {
          if (dropUndefined) continue;
          throw new CtyPathError(path + formatKeyStep(k), 'unsupported attribute');
        }
        setOwn(out, k, fromJson(attrs[k], v, path + formatKeyStep(k), dropUndefined));
      }
      for (const k of Object.keys(attrs)) if (!hasOwn(out, k)) setOwn(out, k, null);
      return out;
    }
  }
  throw new CtyPathError(path, `unsupported type ${JSON.stringify(type)}`);
}

/** A JSON tree as ordinary JS data (for type descriptors, which hold no numbers). */
function plainJson(raw: JsonRaw): unknown {
  if (raw instanceof JsonNumber) return Number(raw.text);
  if (Array.isArray(raw)) return raw.map(plainJson);
  if (raw instanceof Map) {
    const out: { [key: string]: unknown } = {};
    for (const [k, v] of raw) setOwn(out, k, plainJson(v));
    return out;
  }
  return raw;
}

/** A JSON tree as cty-model data without a type: numbers as number or BigNumber, exactly. */
function losslessJson(raw: JsonRaw, path: string): CtyValue {
  if (raw instanceof JsonNumber) {
    const n = numberFromText(raw.text);
    if (n === undefined) throw new CtyPathError(path, `bad number ${raw.text}`);
    return n;
  }
  if (Array.isArray(raw)) return raw.map((e, i) => losslessJson(e, `${path}[${i}]`));
  if (raw instanceof Map) {
    const out: { [key: string]: CtyValue } = {};
    for (const [k, v] of raw) setOwn(out, k, losslessJson(v, path + formatKeyStep(k)));
    return out;
  }
  return raw;
}

function toJson(type: CtyType, v: CtyValue, path: string, out: string[]): void {
  if (v === null) return void out.push('null');
  if (isUnknown(v)) throw new CtyPathError(path, 'value is unknown; the JSON encoding cannot carry unknown values');
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        return typeof v === 'string' ? void out.push(JSON.stringify(v)) : expect('string', v, path);
      case 'bool':
        return typeof v === 'boolean' ? void out.push(v ? 'true' : 'false') : expect('bool', v, path);
      case 'number': {
        const n = checkNumber(v, path);
        if (n instanceof BigNumber) return void out.push(n.text);
        if (!Number.isFinite(n)) throw new CtyPathError(path, `${n} cannot be written as JSON`);
        return void out.push(JSON.stringify(n));
      }
      case 'dynamic': {
        const d = checkDynamic(v, path);
        out.push('{"value":');
        toJson(d.type, d.value, path, out);
        out.push(`,"type":${ctyTypeToJson(d.type)}}`);
        return;
      }
    }
  }
  switch (type[0]) {
    case 'list':
    case 'set': {
      if (!Array.isArray(v)) return expect(type[0], v, path);
      const et = type[1];
      const items = type[0] === 'set' ? dedupeSet(et, v) : v;
      out.push('[');
      items.forEach((e, i) => {
        if (i > 0) out.push(',');
        toJson(et, e, `${path}[${i}]`, out);
      });
      out.push(']');
      return;
    }
    case 'tuple': {
      const ets = type[1];
      if (!Array.isArray(v)) return expect(`tuple of ${ets.length}`, v, path);
      if (v.length !== ets.length) throw new CtyPathError(path, `a tuple of length ${ets.length} is required, got ${v.length} elements`);
      out.push('[');
      ets.forEach((et, i) => {
        if (i > 0) out.push(',');
        toJson(et, v[i], `${path}[${i}]`, out);
      });
      out.push(']');
      return;
    }
    case 'map': {
      if (!isRecord(v)) return expect(ctyTypeName(type), v, path);
      const et = type[1];
      out.push('{');
      sortedKeys(v).forEach((k, i) => {
        out.push(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`);
        toJson(et, v[k], `${path}[${JSON.stringify(k)}]`, out);
      });
      out.push('}');
      return;
    }
    case 'object': {
      if (!isRecord(v)) return expect('object', v, path);
      out.push('{');
      objectEntries(type[1], v, path).forEach(([k, at, av], i) => {
        out.push(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`);
        toJson(at, av, path + formatKeyStep(k), out);
      });
      out.push('}');
      return;
    }
  }
  throw new CtyPathError(path, `unsupported type ${JSON.stringify(type)}`);
}
