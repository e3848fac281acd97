/**
 * The cty type and value model used at the plugin-protocol boundary.
 *
 * Types are Terraform's JSON type-constraint form (what a schema Attribute.type carries); values
 * are plain JS data shaped by a type. A value never says which type it has: code that reads or
 * writes values always walks the type alongside (see ../protocol/cty-walk.ts).
 */

/** A cty type in Terraform's JSON type-constraint form, as carried in schema Attribute.type. */
export type CtyType =
  | 'string'
  | 'number'
  | 'bool'
  | 'dynamic'
  | readonly ['list', CtyType]
  | readonly ['set', CtyType]
  | readonly ['map', CtyType]
  | readonly ['object', { readonly [name: string]: CtyType }]
  | readonly ['tuple', readonly CtyType[]];

/** Keys of Unknown.refinements, as numbered on the wire by go-cty (msgpack ext 12 payload). */
export const Refinement = {
  /** boolean: false means "definitely not null". */
  Nullness: 1,
  /** string: a known prefix of the eventual string. */
  StringPrefix: 2,
  /** [number | BigNumber, inclusive: boolean]. */
  NumberLowerBound: 3,
  /** [number | BigNumber, inclusive: boolean]. */
  NumberUpperBound: 4,
  /** number: minimum collection length. */
  LengthLowerBound: 5,
  /** number: maximum collection length. */
  LengthUpperBound: 6,
} as const;

/**
 * The unknown value (Terraform's "known after apply"). Use the singleton UNKNOWN; refinements
 * read from ext 12 are kept (keyed by the Refinement numbers) and written back as ext 12.
 */
export class Unknown {
  /** What Terraform knows about the eventual value, when it sent a refined unknown. */
  readonly refinements?: ReadonlyMap<number, unknown>;

  constructor(refinements?: ReadonlyMap<number, unknown>) {
    if (refinements && refinements.size > 0) this.refinements = refinements;
    Object.freeze(this);
  }

  toString(): string {
    return '(known after apply)';
  }
}

/** The unknown value, without refinements. */
export const UNKNOWN: Unknown = new Unknown();

/** True for UNKNOWN and for any refined Unknown. */
export function isUnknown(v: unknown): v is Unknown {
  return v instanceof Unknown;
}

// A JSON number: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
// Looser decimal syntax accepted from the wire (what Go's big.Float parses, minus hex and underscores).
const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const INFINITY = /^([+-])?inf(?:inity)?$/i;

/**
 * A number that is not exactly representable as a JS number (decimal string from Terraform, or
 * an integer beyond 2^53); kept as its decimal text so it round-trips unchanged.
 */
export class BigNumber {
  /** @param text a JSON-syntax decimal number, e.g. "9007199254740993" or "0.10000000000000000001". */
  constructor(readonly text: string) {
    if (typeof text !== 'string' || !JSON_NUMBER.test(text)) throw new Error(`BigNumber: not a decimal number: ${JSON.stringify(text)}`);
    Object.freeze(this);
  }

  /** The nearest JS number (may lose precision). */
  toNumber(): number {
    return Number(this.text);
  }

  toString(): string {
    return this.text;
  }
}

/** dynamic-typed value: the concrete type plus the value. */
export interface DynamicPayload {
  readonly type: CtyType;
  readonly value: CtyValue;
}

/** A value of some cty type; which alternative applies is decided by the type, never by the value's shape. */
export type CtyValue = null | Unknown | string | boolean | number | BigNumber | CtyValue[] | { [key: string]: CtyValue } | DynamicPayload;

/** True when v has the DynamicPayload shape (meaningful only where the type says 'dynamic'). */
export function isDynamicPayload(v: unknown): v is DynamicPayload {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && hasOwn(v, 'type') && hasOwn(v, 'value') && Object.keys(v).length === 2;
}

/** An error about a value at an attribute path (".permissions[2]", '["key"]'; "" is the root). */
export class CtyPathError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path || '(root)'}: ${detail}`);
    this.name = 'CtyPathError';
  }
}

/** True when v (deeply) contains an unknown value. */
export function containsUnknown(v: CtyValue): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (v instanceof Unknown) return true;
  if (v instanceof BigNumber) return false;
  if (Array.isArray(v)) return v.some(containsUnknown);
  // Plain objects: map/object values, and DynamicPayload (whose `type` never holds an Unknown).
  return Object.values(v as { [key: string]: CtyValue }).some(containsUnknown);
}

/**
 * Deep equality of two values of `type`. Sets compare as unordered collections; numbers compare by
 * value (a JS number by its shortest decimal form, as cty does, so 0.1 equals BigNumber("0.1"));
 * unknowns equal each other (refinements ignored); null equals only null. Object values compare
 * on the type's attributes. Values that do not fit the type compare unequal rather than throwing.
 */
export function ctyEqual(type: CtyType, a: CtyValue, b: CtyValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (isUnknown(a) || isUnknown(b)) return isUnknown(a) && isUnknown(b);
  if (typeof type === 'string') {
    switch (type) {
      case 'number':
        return isNumberValue(a) && isNumberValue(b) && numberKey(a) === numberKey(b);
      case 'dynamic':
        return isDynamicPayload(a) && isDynamicPayload(b) && ctyTypeEqual(a.type, b.type) && ctyEqual(a.type, a.value, b.value);
      default:
        return false; // string and bool are equal only when ===
    }
  }
  switch (type[0]) {
    case 'list': {
      const et = type[1];
      return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => ctyEqual(et, x, b[i]));
    }
    case 'tuple': {
      const ets = type[1];
      return Array.isArray(a) && Array.isArray(b) && a.length === ets.length && b.length === ets.length && ets.every((et, i) => ctyEqual(et, a[i], b[i]));
    }
    case 'set': {
      const et = type[1];
      if (!Array.isArray(a) || !Array.isArray(b)) return false;
      return a.every((x) => b.some((y) => ctyEqual(et, x, y))) && b.every((y) => a.some((x) => ctyEqual(et, x, y)));
    }
    case 'map': {
      const et = type[1];
      if (!isPlainRecord(a) || !isPlainRecord(b)) return false;
      const ka = Object.keys(a);
      if (ka.length !== Object.keys(b).length) return false;
      return ka.every((k) => hasOwn(b, k) && ctyEqual(et, a[k], b[k]));
    }
    case 'object': {
      const attrs = type[1];
      if (!isPlainRecord(a) || !isPlainRecord(b)) return false;
      return Object.keys(attrs).every((k) => ctyEqual(attrs[k], ownValue(a, k), ownValue(b, k)));
    }
    default:
      return false;
  }
}

/** Structural equality of two types (object attribute order is irrelevant). */
function ctyTypeEqual(a: CtyType, b: CtyType): boolean {
  if (a === b) return true;
  if (typeof a === 'string' || typeof b === 'string') return false;
  if (a[0] !== b[0]) return false;
  switch (a[0]) {
    case 'object': {
      const x = a[1];
      const y = b[1] as { readonly [name: string]: CtyType };
      const kx = Object.keys(x);
      return kx.length === Object.keys(y).length && kx.every((k) => hasOwn(y, k) && ctyTypeEqual(x[k], y[k]));
    }
    case 'tuple': {
      const x = a[1];
      const y = b[1] as readonly CtyType[];
      return x.length === y.length && x.every((t, i) => ctyTypeEqual(t, y[i]));
    }
    default:
      return ctyTypeEqual(a[1], b[1] as CtyType);
  }
}

/**
 * Checks that `t` is a valid CtyType (e.g. one parsed from JSON) and returns it; throws otherwise.
 * Object attribute maps are copied into fresh objects, so "__proto__" names stay ordinary keys.
 */
export function checkCtyType(t: unknown, where = 'type'): CtyType {
  if (t === 'string' || t === 'number' || t === 'bool' || t === 'dynamic') return t;
  if (Array.isArray(t) && t.length === 2) {
    const [kind, arg] = t as [unknown, unknown];
    switch (kind) {
      case 'list':
      case 'set':
      case 'map':
        return [kind, checkCtyType(arg, `${where}[1]`)] as const;
      case 'object': {
        if (!isPlainRecord(arg)) break;
        const attrs: { [name: string]: CtyType } = {};
        for (const k of Object.keys(arg)) setOwn(attrs, k, checkCtyType(arg[k], `${where}[1]${formatKeyStep(k)}`));
        return ['object', attrs] as const;
      }
      case 'tuple':
        if (!Array.isArray(arg)) break;
        return ['tuple', arg.map((e, i) => checkCtyType(e, `${where}[1][${i}]`))] as const;
    }
  }
  throw new Error(`${where}: not a cty type: ${safeStringify(t)}`);
}

/** Parses Terraform's JSON form of a type (e.g. the header of a dynamic value). */
export function parseCtyType(json: string): CtyType {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new Error(`invalid type JSON ${JSON.stringify(json)}: ${(err as Error).message}`);
  }
  return checkCtyType(raw);
}

/** Terraform's JSON form of a type, with object attributes in sorted order. */
export function ctyTypeToJson(t: CtyType): string {
  if (typeof t === 'string') return JSON.stringify(t);
  switch (t[0]) {
    case 'object': {
      const attrs = t[1];
      const body = sortedKeys(attrs).map((k) => `${JSON.stringify(k)}:${ctyTypeToJson(attrs[k])}`);
      return `["object",{${body.join(',')}}]`;
    }
    case 'tuple':
      return `["tuple",[${t[1].map(ctyTypeToJson).join(',')}]]`;
    default:
      return `[${JSON.stringify(t[0])},${ctyTypeToJson(t[1])}]`;
  }
}

/** A short human name for a type, e.g. "list of string", for error messages. */
export function ctyTypeName(t: CtyType): string {
  if (typeof t === 'string') return t;
  switch (t[0]) {
    case 'object':
      return 'object';
    case 'tuple':
      return `tuple of ${t[1].length}`;
    default:
      return `${t[0]} of ${ctyTypeName(t[1])}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Numbers

/**
 * The value of a decimal text (Terraform's number strings, JSON number tokens) in the value model:
 * a JS number when that number's shortest decimal form denotes the same value and it is not an
 * integer beyond 2^53 (so "0.1" gives 0.1 and "3" gives 3), otherwise a BigNumber keeping the
 * text. "Inf", "+Inf" and "-Inf" (as Go prints infinities) give ±Infinity. Returns undefined for
 * text that is not a number.
 */
export function numberFromText(text: string): number | BigNumber | undefined {
  const inf = INFINITY.exec(text);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  const canonical = canonicalDecimal(text);
  if (canonical === undefined) return undefined;
  const n = Number(text);
  if (Number.isFinite(n) && !(Number.isInteger(n) && !Number.isSafeInteger(n)) && canonicalDecimal(String(n)) === canonical) return n === 0 ? 0 : n;
  return new BigNumber(JSON_NUMBER.test(text) ? text : canonical);
}

/**
 * The value of a 64-bit or float msgpack number in the value model: safe integers and non-integral
 * floats as JS numbers, integers beyond 2^53 as BigNumber. Throws on NaN.
 */
export function numberFromBinary(v: number | bigint): number | BigNumber {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : new BigNumber(v.toString());
  if (Number.isNaN(v)) throw new Error('NaN is not a cty number');
  if (Number.isInteger(v) && !Number.isSafeInteger(v)) return new BigNumber(BigInt(v).toString());
  return v === 0 ? 0 : v;
}

function isNumberValue(v: CtyValue): v is number | BigNumber {
  return typeof v === 'number' || v instanceof BigNumber;
}

// A comparison key: equal keys <=> equal numbers. As in cty, integers compare exactly and other
// JS numbers by their shortest decimal form.
function numberKey(v: number | BigNumber): string {
  if (typeof v === 'number') {
    if (v === Infinity) return '+inf';
    if (v === -Infinity) return '-inf';
    if (Number.isInteger(v)) return canonicalDecimal(BigInt(v).toString()) as string;
    return canonicalDecimal(String(v)) ?? 'NaN';
  }
  return canonicalDecimal(v.text) ?? v.text;
}

/**
 * A canonical spelling of a decimal: "[-]<digits without leading/trailing zeros>e<exponent>", or
 * "0". Returns undefined for text that is not a decimal number.
 */
function canonicalDecimal(text: string): string | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const [, sign, intPart = '', fracPart = '', expPart] = m;
  if (intPart === '' && fracPart === '') return undefined;
  const exp = expPart === undefined ? 0 : Number(expPart);
  if (!Number.isSafeInteger(exp)) return undefined;
  let digits = (intPart + fracPart).replace(/^0+/, '');
  if (digits === '') return '0';
  let e = exp - fracPart.length;
  const trimmed = digits.replace(/0+$/, '');
  e += digits.length - trimmed.length;
  digits = trimmed;
  return `${sign === '-' ? '-' : ''}${digits}e${e}`;
}

// ---------------------------------------------------------------------------------------------
// Small helpers shared with the codecs

/** Own-property test that ignores the prototype chain ("toString" is not a key of {}). */
export function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** Sets an own data property, so a key named "__proto__" is stored like any other key. */
export function setOwn<T>(o: { [key: string]: T }, k: string, v: T): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** Keys in Go's sort order (UTF-8 byte order, i.e. code point order), as go-cty writes them. */
export function sortedKeys(o: object): string[] {
  return Object.keys(o).sort(compareCodePoints);
}

function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** A path step for an attribute or map key: ".name" for identifier-like names, '["key"]' otherwise. */
export function formatKeyStep(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

function isPlainRecord(v: unknown): v is { [key: string]: CtyValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Unknown) && !(v instanceof BigNumber);
}

function ownValue(o: { [key: string]: CtyValue }, k: string): CtyValue {
  return hasOwn(o, k) ? o[k] : (undefined as unknown as CtyValue);
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
