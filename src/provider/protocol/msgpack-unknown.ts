/**
 * Unknown values in go-cty msgpack, as an @msgpack/msgpack extension codec: the plain unknown is
 * ext 0 with one zero byte (d4 00 00), a refined unknown is ext 12 whose payload is a map keyed by
 * the Refinement numbers. On decode every extension type is an unknown (go-cty has no other).
 */
import { Decoder, Encoder, ExtData, type ExtensionCodecType } from '@msgpack/msgpack';
import { BigNumber, UNKNOWN, Unknown, Refinement, numberFromBinary, numberFromText } from '../framework/cty';

const EXT_UNKNOWN = 0;
const EXT_REFINED_UNKNOWN = 12;
const PLAIN_UNKNOWN_PAYLOAD = new Uint8Array([0]);

/** Unknown ⇄ ext 0 / ext 12; an extension of any other type decodes as the plain unknown. */
export const unknownExtensions: ExtensionCodecType<undefined> = {
  tryToEncode: (object) => {
    if (!(object instanceof Unknown)) return null;
    return object.refinements ? new ExtData(EXT_REFINED_UNKNOWN, refinementPayload(object.refinements)) : new ExtData(EXT_UNKNOWN, PLAIN_UNKNOWN_PAYLOAD);
  },
  decode: (data, extType) => (extType === EXT_REFINED_UNKNOWN ? decodeRefinedUnknown(data) : UNKNOWN),
};

const refinementDecoder = new Decoder({ useBigInt64: true });
const scalarEncoder = new Encoder();

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

/**
 * The ext 12 payload for refinements Terraform sent: a map keyed by the Refinement numbers, number
 * bounds as [bound, inclusive] (a BigNumber bound as its decimal text, which go-cty reads).
 * @msgpack/msgpack writes object keys as strings, so the map header is written here and each key
 * and value by the encoder.
 */
function refinementPayload(refinements: ReadonlyMap<number, unknown>): Uint8Array {
  const parts: Uint8Array[] = [mapHeader(refinements.size)];
  for (const [key, value] of refinements) {
    parts.push(scalarEncoder.encode(key), scalarEncoder.encode(Array.isArray(value) ? value.map(scalar) : scalar(value)));
  }
  return Buffer.concat(parts);
}

function scalar(x: unknown): boolean | string | number | null {
  if (typeof x === 'boolean' || typeof x === 'string' || typeof x === 'number') return x;
  if (x instanceof BigNumber) return x.text;
  return null;
}

/** fixmap or map 16 (a refinement map has one entry per Refinement kind). */
function mapHeader(n: number): Uint8Array {
  return n < 16 ? new Uint8Array([0x80 | n]) : new Uint8Array([0xde, n >> 8, n & 0xff]);
}
