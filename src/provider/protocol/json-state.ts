/**
 * go-cty JSON → the value model of ../framework/cty, for what Terraform sends as JSON: stored state
 * (UpgradeResourceState) and a DynamicValue without msgpack. Reading only; the provider always
 * answers in msgpack. A small reader keeps number tokens as text (no precision is lost) and
 * objects as Maps (any key, "__proto__" included, is just a key).
 */
import { CtyPathError, checkCtyType, formatKeyStep, hasOwn, numberFromText, setOwn, type CtyType, type CtyValue } from '../framework/cty';
import { CTY_OUTPUT, walkType, type TreeCodec } from './cty-walk';

/** Options of {@link decodeJson}. */
interface JsonDecodeOptions {
  /**
   * Drop object attributes the type does not declare instead of failing (stored state of the
   * current schema version that still holds an attribute removed without a version bump).
   */
  readonly dropUndefinedAttributes?: boolean;
}

/** Decodes go-cty JSON (text or UTF-8 bytes) of `type`. JSON cannot carry unknown values. */
export function decodeJson(type: CtyType, json: string | Uint8Array, options: JsonDecodeOptions = {}): CtyValue {
  return walkType(options.dropUndefinedAttributes === true ? fromJsonDropping : fromJson, type, readJson(json), '');
}

/**
 * Parses JSON without a type and without losing precision: numbers that a JS number cannot hold
 * exactly become BigNumber, objects plain objects (any key, "__proto__" included, is just a key).
 * For state upgraders, which read a stored state of an older schema.
 */
export function parseJsonLossless(json: string | Uint8Array): CtyValue {
  return losslessJson(readJson(json), '');
}

const utf8 = new TextDecoder('utf-8');

/** Whether a type holds no object type anywhere (per attribute type object, cached). */
const objectFree = new WeakMap<object, boolean>();
function holdsNoObject(type: CtyType): boolean {
  if (typeof type === 'string') return true;
  let known = objectFree.get(type);
  if (known === undefined) {
    known = type[0] === 'object' ? false : type[0] === 'tuple' ? type[1].every(holdsNoObject) : holdsNoObject(type[1]);
    objectFree.set(type, known);
  }
  return known;
}

/**
 * Stored JSON state that can go back to Terraform as it is, as the value of object `type`: a JSON
 * object whose keys are all attributes of the type, where no attribute holds a nested object.
 * go-cty then reads it exactly as {@link decodeJson} would (absent attributes null, number text
 * exact); anything else (an attribute the schema dropped, bad JSON) takes the decoding path, which
 * drops or names it. Returns the object as JSON.parse reads it (its strings exact, its numbers not
 * to be trusted beyond 2^53), or undefined when it does not fit.
 */
export function storedFits(type: CtyType, json: string | Uint8Array): Record<string, unknown> | undefined {
  if (typeof type === 'string' || type[0] !== 'object') return undefined;
  const attrs = type[1];
  let flat = objectFree.get(attrs);
  if (flat === undefined) {
    flat = Object.values(attrs).every(holdsNoObject);
    objectFree.set(attrs, flat);
  }
  if (!flat) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof json === 'string' ? json : utf8.decode(json));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  for (const k of Object.keys(parsed)) if (!hasOwn(attrs, k)) return undefined;
  return parsed as Record<string, unknown>;
}

function readJson(json: string | Uint8Array): JsonRaw {
  const text = typeof json === 'string' ? json : utf8.decode(json);
  try {
    return new JsonReader(text).parse();
  } catch (err) {
    throw new Error(`invalid JSON DynamicValue: ${(err as Error).message}`);
  }
}

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
      case '{':
        return this.object();
      case '[':
        return this.array();
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

  private object(): Map<string, JsonRaw> {
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

  private array(): JsonRaw[] {
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
}

/**
 * JSON decoding follows go-cty's JSON unmarshalling, which is lenient where msgpack is not: a
 * string also accepts number and bool tokens, a number accepts a numeric string, a bool accepts
 * "true"/"false", and an object's absent attributes are null (old stored state lacks new ones).
 */
const fromJson: TreeCodec<JsonRaw, CtyValue> = {
  leaf: (raw) => (raw === null ? null : undefined),
  describe: (raw) => {
    if (raw instanceof JsonNumber) return 'number';
    if (raw instanceof Map) return 'object';
    if (Array.isArray(raw)) return `array of ${raw.length}`;
    return typeof raw === 'boolean' ? 'bool' : 'string';
  },
  string: (raw) => {
    if (typeof raw === 'string') return raw;
    if (raw instanceof JsonNumber) return raw.text;
    if (typeof raw === 'boolean') return raw ? 'true' : 'false';
    return undefined;
  },
  bool: (raw) => (typeof raw === 'boolean' ? raw : raw === 'true' || raw === 'false' ? raw === 'true' : undefined),
  number: (raw, path) => {
    const text = raw instanceof JsonNumber ? raw.text : typeof raw === 'string' ? raw : undefined;
    if (text === undefined) return undefined;
    const n = numberFromText(text);
    if (n === undefined) throw new CtyPathError(path, `number is required, got string ${JSON.stringify(text)}`);
    return n;
  },
  dynamic: (raw, path) => {
    if (!(raw instanceof Map)) return undefined;
    for (const k of raw.keys()) if (k !== 'value' && k !== 'type') throw new CtyPathError(path, `invalid key ${JSON.stringify(k)} in dynamic value`);
    if (!raw.has('type')) throw new CtyPathError(path, 'dynamic value has no "type"');
    if (!raw.has('value')) throw new CtyPathError(path, 'dynamic value has no "value"');
    try {
      return { type: checkCtyType(plainJson(raw.get('type') as JsonRaw)), value: raw.get('value') as JsonRaw };
    } catch (err) {
      throw new CtyPathError(path, `bad dynamic value type: ${(err as Error).message}`);
    }
  },
  dynamicShape: 'dynamic value {"value", "type"}',
  wrapDynamic: (type, value) => ({ type, value }),
  elements: (raw) => (Array.isArray(raw) ? raw : undefined),
  entries: (raw) => (raw instanceof Map ? raw : undefined),
  ...CTY_OUTPUT,
  objects: { extra: 'fail', missing: 'null' },
};

const fromJsonDropping: TreeCodec<JsonRaw, CtyValue> = { ...fromJson, objects: { extra: 'drop', missing: 'null' } };

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
