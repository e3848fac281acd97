import {
  BigNumber,
  CtyPathError,
  Refinement,
  UNKNOWN,
  Unknown,
  containsUnknown,
  ctyEqual,
  isUnknown,
  type CtyType,
  type CtyValue,
} from '../../../src/provider/framework/cty';
import { decodeDynamicValue, decodeJson, decodeMsgpack, encodeDynamicValue, encodeMsgpack } from '../../../src/provider/protocol/dynamic-value';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
/** msgpack fixstr (up to 31 bytes) as hex. */
const fixstr = (s: string): string => {
  const b = Buffer.from(s, 'utf8');
  if (b.length > 31) throw new Error('fixstr too long');
  return (0xa0 + b.length).toString(16) + b.toString('hex');
};
const roundTrip = (type: CtyType, v: CtyValue): CtyValue => decodeMsgpack(type, encodeMsgpack(type, v));

const keyType: CtyType = [
  'object',
  {
    name: 'string',
    ttl: 'number',
    enabled: 'bool',
    permissions: ['list', 'string'],
    scopes: ['set', 'string'],
    labels: ['map', 'string'],
    secret: 'string',
    owner: ['object', { id: 'string', team: 'string' }],
  },
];

describe('exact msgpack bytes', () => {
  it('writes unknown as d4 00 00 whatever the type', () => {
    expect(hex(encodeMsgpack('string', UNKNOWN))).toBe('d40000');
    expect(hex(encodeMsgpack(keyType, UNKNOWN))).toBe('d40000');
    expect(hex(encodeMsgpack('dynamic', UNKNOWN))).toBe('d40000');
    // issue 7: a refined unknown keeps its refinements: ext8, length 3, type 12, {1: false}
    expect(hex(encodeMsgpack('string', new Unknown(new Map([[1, false]]))))).toBe('c7030c8101c2');
  });

  it('writes null as c0 whatever the type', () => {
    expect(hex(encodeMsgpack('number', null))).toBe('c0');
    expect(hex(encodeMsgpack(keyType, null))).toBe('c0');
    expect(hex(encodeMsgpack('dynamic', null))).toBe('c0');
  });

  it('writes an object as a map of its attributes', () => {
    // fixmap(1), fixstr "name", fixstr "a"
    expect(hex(encodeMsgpack(['object', { name: 'string' }], { name: 'a' }))).toBe('81a46e616d65a161');
  });

  it('writes object attributes and map keys in sorted order', () => {
    const t: CtyType = ['object', { b: 'bool', a: 'bool' }];
    expect(hex(encodeMsgpack(t, { b: true, a: false }))).toBe('82a161c2a162c3');
    expect(hex(encodeMsgpack(['map', 'number'], { z: 1, y: 2 }))).toBe('82a17902a17a01');
  });
});

describe('unknown values', () => {
  it("decodes Terraform's refined unknown (ext 12) with its refinements", () => {
    const v = decodeMsgpack('string', bytes('c7 07 0c 82 01 c2 02 a2 79 2d'));
    expect(isUnknown(v)).toBe(true);
    const u = v as Unknown;
    expect(u.refinements?.get(Refinement.Nullness)).toBe(false);
    expect(u.refinements?.get(Refinement.StringPrefix)).toBe('y-');
    expect(u.refinements?.size).toBe(2);
    // issue 7: written back byte for byte as Terraform sent it
    expect(hex(encodeMsgpack('string', u))).toBe('c7070c8201c202a2792d');
  });

  it('decodes number bounds of a refined unknown as [number, inclusive]', () => {
    // ext 12 payload: {3: [1, true], 4: ["0.1", false]}
    const payload = '82 03 92 01 c3 04 92 a3 302e31 c2';
    const v = decodeMsgpack('number', bytes(`c7 0c 0c ${payload}`)) as Unknown;
    expect(v.refinements?.get(Refinement.NumberLowerBound)).toEqual([1, true]);
    expect(v.refinements?.get(Refinement.NumberUpperBound)).toEqual([0.1, false]);
    // issue 7: re-encoded, the bounds survive a round trip
    const again = decodeMsgpack('number', encodeMsgpack('number', v)) as Unknown;
    expect(again.refinements?.get(Refinement.NumberLowerBound)).toEqual([1, true]);
    expect(again.refinements?.get(Refinement.NumberUpperBound)).toEqual([0.1, false]);
  });

  it('decodes an extension of any other type as the plain unknown', () => {
    expect(decodeMsgpack('string', bytes('d4 00 00'))).toBe(UNKNOWN);
    expect(decodeMsgpack('number', bytes('d4 05 ff'))).toBe(UNKNOWN);
    expect(decodeMsgpack(['list', 'string'], bytes('c7 00 07'))).toBe(UNKNOWN);
    // ext -1 is msgpack's timestamp; to Terraform it is still just "unknown"
    expect(decodeMsgpack('string', bytes('d6 ff 00000000'))).toBe(UNKNOWN);
  });

  it('keeps unknowns inside collections and objects', () => {
    const t: CtyType = ['object', { a: ['list', 'string'], b: 'number' }];
    const v = decodeMsgpack(t, bytes('82 a161 92 a178 d40000 a162 d40000'));
    expect(v).toEqual({ a: ['x', UNKNOWN], b: UNKNOWN });
    expect(containsUnknown(v)).toBe(true);
    expect(containsUnknown({ a: ['x'], b: 1 })).toBe(false);
  });
});

describe('numbers', () => {
  const num = (h: string): CtyValue => decodeMsgpack('number', bytes(h));

  it('decodes ints of every width', () => {
    expect(num('07')).toBe(7);
    expect(num('cd 012c')).toBe(300);
    expect(num('ff')).toBe(-1);
    expect(num('d1 ff38')).toBe(-200);
    expect(num('d3 ffffffffffffff38')).toBe(-200);
    expect(num('cf 0000000000000005')).toBe(5);
  });

  it('decodes a uint64 above the int64 range exactly', () => {
    expect(num('cf ffffffffffffffff')).toEqual(new BigNumber('18446744073709551615'));
  });

  it('decodes 2^53+1 sent as int64 as a BigNumber', () => {
    expect(num('d3 0020000000000001')).toEqual(new BigNumber('9007199254740993'));
  });

  it('decodes float64 0.5 and writes it back as float64', () => {
    expect(num('cb 3fe0000000000000')).toBe(0.5);
    expect(hex(encodeMsgpack('number', 0.5))).toBe('cb3fe0000000000000');
  });

  it('decodes the decimal string "0.1" as the JS number 0.1', () => {
    expect(num('a3 302e31')).toBe(0.1);
    expect(num(fixstr('-2.5'))).toBe(-2.5);
  });

  it('keeps a decimal string that a JS number cannot hold as a BigNumber', () => {
    expect(num(fixstr('0.100000000000000000001'))).toEqual(new BigNumber('0.100000000000000000001'));
    expect(num(fixstr('9007199254740993'))).toEqual(new BigNumber('9007199254740993'));
    expect(num(fixstr('123456789012345678901234567890'))).toEqual(new BigNumber('123456789012345678901234567890'));
  });

  it('decodes float64 infinity', () => {
    expect(num('cb 7ff0000000000000')).toBe(Infinity);
    expect(hex(encodeMsgpack('number', -Infinity))).toBe('cbfff0000000000000');
  });

  it('encodes safe integers in the smallest int form', () => {
    expect(hex(encodeMsgpack('number', 7))).toBe('07');
    expect(hex(encodeMsgpack('number', -33))).toBe('d0df');
    expect(hex(encodeMsgpack('number', 300))).toBe('cd012c');
    expect(hex(encodeMsgpack('number', 2 ** 40))).toBe('cf0000010000000000');
    expect(hex(encodeMsgpack('number', -(2 ** 40)))).toBe('d3ffffff0000000000');
    expect(roundTrip('number', Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(roundTrip('number', Number.MIN_SAFE_INTEGER)).toBe(Number.MIN_SAFE_INTEGER);
  });

  it('re-encodes a BigNumber as its decimal string', () => {
    const big = new BigNumber('9007199254740993');
    // fixstr(16) "9007199254740993"
    expect(hex(encodeMsgpack('number', big))).toBe(fixstr('9007199254740993'));
    expect(roundTrip('number', big)).toEqual(big);
  });

  it('rejects NaN', () => {
    expect(() => encodeMsgpack('number', NaN)).toThrow(/NaN/);
  });

  it('rejects a string that is not a number', () => {
    expect(() => num('a3 616263')).toThrow('(root): number is required, got string "abc"');
  });

  it('compares numbers by value', () => {
    expect(ctyEqual('number', 0.1, new BigNumber('0.1'))).toBe(true);
    expect(ctyEqual('number', 1, new BigNumber('1.0'))).toBe(true);
    expect(ctyEqual('number', 9007199254740992, new BigNumber('9007199254740993'))).toBe(false);
    // an integer beyond 2^53 held in a JS number comes back as the exact BigNumber, and still compares equal
    const back = roundTrip('number', 2 ** 60);
    expect(back).toEqual(new BigNumber('1152921504606846976'));
    expect(ctyEqual('number', back, 2 ** 60)).toBe(true);
  });
});

describe('round trips', () => {
  it.each<[string, CtyType, CtyValue]>([
    ['string', 'string', 'héllo ✓'],
    ['empty string', 'string', ''],
    ['long string', 'string', 'x'.repeat(70000)],
    ['bool', 'bool', true],
    ['number', 'number', -12.25],
    ['list', ['list', 'number'], [3, 1, 2]],
    ['empty list', ['list', 'number'], []],
    ['long list', ['list', 'number'], Array.from({ length: 70000 }, (_, i) => i)],
    ['set', ['set', 'string'], ['b', 'a']],
    ['map', ['map', 'bool'], { x: true, 'with space': false, __proto__key: true }],
    ['tuple', ['tuple', ['string', 'number', 'bool']], ['a', 1, false]],
    ['list of null', ['list', 'string'], ['a', null]],
    ['object', ['object', { a: 'string', b: ['list', 'number'] }], { a: 'x', b: [1] }],
  ])('%s', (_name, type, value) => {
    const back = roundTrip(type, value);
    expect(back).toEqual(value);
    expect(ctyEqual(type, back, value)).toBe(true);
  });

  it('round-trips a nested object with list, set, map, null and unknown', () => {
    const value: CtyValue = {
      name: 'ci-deploy',
      ttl: 3600,
      enabled: true,
      permissions: ['read', 'write', UNKNOWN],
      scopes: ['b', 'a'],
      labels: { env: 'prod', team: 'core' },
      secret: UNKNOWN,
      owner: null,
    };
    const back = roundTrip(keyType, value);
    expect(back).toEqual(value);
    expect(isUnknown((back as { secret: CtyValue }).secret)).toBe(true);
    expect(ctyEqual(keyType, back, value)).toBe(true);
  });

  it('keeps a map key named "__proto__" as an ordinary key', () => {
    const m: { [k: string]: CtyValue } = {};
    Object.defineProperty(m, '__proto__', { value: 'x', enumerable: true, writable: true, configurable: true });
    const back = roundTrip(['map', 'string'], m) as { [k: string]: CtyValue };
    expect(Object.keys(back)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toBe('x');
  });

  it('returns null for empty or absent bytes', () => {
    expect(decodeMsgpack('string', new Uint8Array(0))).toBeNull();
    expect(decodeMsgpack('string', undefined)).toBeNull();
    expect(decodeMsgpack('string', null)).toBeNull();
  });
});

describe('sets', () => {
  it('collapses duplicate elements on decode', () => {
    // ["a", "b", "a"]
    expect(decodeMsgpack(['set', 'string'], bytes('93 a161 a162 a161'))).toEqual(['a', 'b']);
  });

  it('never collapses unknown elements', () => {
    expect(decodeMsgpack(['set', 'string'], bytes('92 d40000 d40000'))).toEqual([UNKNOWN, UNKNOWN]);
  });

  it('compares sets regardless of order', () => {
    const t: CtyType = ['set', ['object', { id: 'number' }]];
    expect(ctyEqual(t, [{ id: 1 }, { id: 2 }], [{ id: 2 }, { id: 1 }])).toBe(true);
    expect(ctyEqual(t, [{ id: 1 }, { id: 2 }], [{ id: 2 }, { id: 3 }])).toBe(false);
    expect(ctyEqual(['list', 'number'], [1, 2], [2, 1])).toBe(false);
  });
});

describe('dynamic values', () => {
  it('writes [bin(type JSON), value]', () => {
    const typeJson = Buffer.from('"string"').toString('hex');
    expect(hex(encodeMsgpack('dynamic', { type: 'string', value: 'hi' }))).toBe(`92c408${typeJson}a26869`);
  });

  it('round-trips through msgpack with a structured type', () => {
    const v: CtyValue = { type: ['object', { n: 'number', l: ['list', 'bool'] }], value: { n: 1.5, l: [true] } };
    const back = roundTrip('dynamic', v);
    expect(back).toEqual(v);
    expect(ctyEqual('dynamic', back, v)).toBe(true);
  });

  it('accepts the type header as str as well as bin', () => {
    const typeJson = Buffer.from('["list","number"]');
    const b = bytes(`92 b1${typeJson.toString('hex')} 92 01 02`);
    expect(decodeMsgpack('dynamic', b)).toEqual({ type: ['list', 'number'], value: [1, 2] });
  });

  it('decodes null and unknown dynamic values unwrapped', () => {
    expect(decodeMsgpack('dynamic', bytes('c0'))).toBeNull();
    expect(decodeMsgpack('dynamic', bytes('d40000'))).toBe(UNKNOWN);
  });

  it('uses the {"value","type"} JSON form', () => {
    const v: CtyValue = { type: ['map', 'number'], value: { a: 1 } };
    expect(decodeJson('dynamic', '{"type":"string","value":"x"}')).toEqual({ type: 'string', value: 'x' });
    expect(decodeJson('dynamic', '{"value":{"a":1},"type":["map","number"]}')).toEqual(v);
    expect(() => decodeJson('dynamic', '{"value":1}')).toThrow('dynamic value has no "type"');
  });

  it('rejects a value without the {type, value} shape', () => {
    expect(() => encodeMsgpack(['object', { d: 'dynamic' }], { d: 'bare' })).toThrow('.d: dynamic value {type, value} is required, got string');
  });
});

describe('errors name the attribute path', () => {
  const t: CtyType = ['object', { name: 'string', permissions: ['list', 'string'] }];

  it('on a missing attribute', () => {
    expect(() => encodeMsgpack(t, { name: 'a' })).toThrow('.permissions: attribute is missing');
  });

  it('on an extra attribute', () => {
    expect(() => encodeMsgpack(t, { name: 'a', permissions: [], color: 'red' })).toThrow('.color: unsupported attribute');
  });

  it('on a wrongly typed element', () => {
    expect(() => encodeMsgpack(t, { name: 'a', permissions: ['r', 'w', 3] })).toThrow('.permissions[2]: string is required, got number');
    expect(() => decodeJson(t, '{"name":"a","permissions":["r",["w"]]}')).toThrow('.permissions[1]: string is required, got array of 1');
  });

  it('on a map entry', () => {
    expect(() => encodeMsgpack(['object', { tags: ['map', 'string'] }], { tags: { 'a b': true } })).toThrow('.tags["a b"]: string is required, got bool');
  });

  it('on decode, for a missing or unsupported attribute and a wrong type', () => {
    // {name: "a"}
    expect(() => decodeMsgpack(t, bytes('81 a46e616d65 a161'))).toThrow('.permissions: attribute is missing');
    // {name: "a", permissions: [], x: 1}
    expect(() => decodeMsgpack(t, bytes('83 a46e616d65 a161 ab7065726d697373696f6e73 90 a178 01'))).toThrow('.x: unsupported attribute');
    // {name: 1, permissions: []}
    expect(() => decodeMsgpack(t, bytes('82 a46e616d65 01 ab7065726d697373696f6e73 90'))).toThrow('.name: string is required, got number');
  });

  it('throws CtyPathError carrying the path', () => {
    let caught: unknown;
    try {
      encodeMsgpack(t, { name: 'a', permissions: [1] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CtyPathError);
    expect((caught as CtyPathError).path).toBe('.permissions[0]');
  });

  it('on a tuple of the wrong length', () => {
    expect(() => encodeMsgpack(['tuple', ['string']], ['a', 'b'])).toThrow('a tuple of length 1 is required, got 2 elements');
    expect(() => decodeMsgpack(['tuple', ['string']], bytes('92 a161 a162'))).toThrow('a tuple of length 1 is required');
  });

  it('on msgpack that is not valid', () => {
    expect(() => decodeMsgpack('string', bytes('c1'))).toThrow(/invalid msgpack/);
  });
});

describe('JSON codec', () => {
  it('reads every kind of type', () => {
    const value: CtyValue = {
      name: 'n',
      ttl: 0.25,
      enabled: false,
      permissions: ['a'],
      scopes: ['x', 'y'],
      labels: { k: 'v' },
      secret: null,
      owner: { id: '1', team: 't' },
    };
    const json = JSON.stringify(value);
    expect(decodeJson(keyType, json)).toEqual(value);
    expect(decodeJson(keyType, Buffer.from(json))).toEqual(value);
  });

  it('keeps big numbers exact', () => {
    expect(decodeJson('number', '9007199254740993')).toEqual(new BigNumber('9007199254740993'));
    expect(decodeJson(['list', 'number'], '[1, 0.1, 1e400, -0]')).toEqual([1, 0.1, new BigNumber('1e400'), 0]);
  });

  it('reads as go-cty does: strings from number and bool tokens, numbers and bools from strings', () => {
    const t: CtyType = ['object', { s: 'string', b: 'string', n: 'number', f: 'bool' }];
    expect(decodeJson(t, '{"s":1.50,"b":true,"n":"0.1","f":"false"}')).toEqual({ s: '1.50', b: 'true', n: 0.1, f: false });
    expect(() => decodeJson(t, '{"s":"x","b":"y","n":"z","f":false}')).toThrow('.n: number is required, got string "z"');
  });

  it('drops attributes the type does not declare only when asked', () => {
    const t: CtyType = ['object', { a: 'string' }];
    expect(decodeJson(t, '{"a":"x","gone":1}', { dropUndefinedAttributes: true })).toEqual({ a: 'x' });
    expect(() => decodeJson(t, '{"a":"x","gone":1}')).toThrow('.gone: unsupported attribute');
  });

  it('reads stored state as go-cty does: absent attributes are null', () => {
    expect(decodeJson(['object', { a: 'string', b: 'number' }], '{"a":"x"}')).toEqual({ a: 'x', b: null });
    expect(() => decodeJson(['object', { a: 'string' }], '{"a":"x","z":1}')).toThrow('.z: unsupported attribute');
  });

  it('rejects malformed JSON', () => {
    expect(() => decodeJson('string', '"abc')).toThrow(/invalid JSON/);
    expect(() => decodeJson('number', '1 2')).toThrow(/invalid JSON/);
  });
});

describe('decodeDynamicValue / encodeDynamicValue', () => {
  const t: CtyType = ['object', { id: 'string' }];

  it('prefers msgpack when present', () => {
    const dv = { msgpack: encodeMsgpack(t, { id: 'm' }), json: Buffer.from('{"id":"j"}') };
    expect(decodeDynamicValue(t, dv)).toEqual({ id: 'm' });
  });

  it('falls back to json when msgpack is empty', () => {
    expect(decodeDynamicValue(t, { msgpack: new Uint8Array(0), json: Buffer.from('{"id":"j"}') })).toEqual({ id: 'j' });
  });

  it('gives null when both are absent or empty', () => {
    expect(decodeDynamicValue(t, {})).toBeNull();
    expect(decodeDynamicValue(t, { msgpack: Buffer.alloc(0), json: Buffer.alloc(0) })).toBeNull();
    expect(decodeDynamicValue(t, null)).toBeNull();
  });

  it('encodes as msgpack', () => {
    const dv = encodeDynamicValue(t, { id: 'a' });
    expect(Object.keys(dv)).toEqual(['msgpack']);
    expect(hex(dv.msgpack)).toBe('81a26964a161');
  });
});

describe('issue 14: the same bytes on @msgpack/msgpack', () => {
  it('writes map keys in code point order even when they look like integers', () => {
    // go-cty sorts "10" < "9" < "a"; a plain JS object would list "9" before "10"
    expect(hex(encodeMsgpack(['map', 'number'], { a: 3, '9': 2, '10': 1 }))).toBe('83a2313001a13902a16103');
  });

  it('writes the 8-, 16- and 32-bit forms of ints, strings, binaries, arrays and maps', () => {
    expect(hex(encodeMsgpack('number', 200))).toBe('ccc8');
    expect(hex(encodeMsgpack('number', 70000))).toBe('ce00011170');
    expect(hex(encodeMsgpack('number', -70000))).toBe('d2fffeee90');
    expect(hex(encodeMsgpack('number', -0))).toBe('00');
    expect(hex(encodeMsgpack('string', 'x'.repeat(32))).slice(0, 4)).toBe('d920');
    expect(hex(encodeMsgpack('string', 'x'.repeat(256))).slice(0, 6)).toBe('da0100');
    expect(
      hex(
        encodeMsgpack(
          ['list', 'bool'],
          Array.from({ length: 16 }, () => true),
        ),
      ).slice(0, 6),
    ).toBe('dc0010');
    const wide: { [k: string]: CtyValue } = {};
    for (let i = 0; i < 16; i++) wide[`k${String(i).padStart(2, '0')}`] = true;
    expect(hex(encodeMsgpack(['map', 'bool'], wide)).slice(0, 14)).toBe('de0010a36b3030');
    // a dynamic value whose type JSON is over 255 bytes: bin 16
    const attrs: { [k: string]: CtyType } = {};
    for (let i = 0; i < 30; i++) attrs[`attribute_${i}`] = 'string';
    const typeJson = JSON.stringify(['object', attrs]);
    expect(typeJson.length).toBeGreaterThan(255);
    const dyn = encodeMsgpack('dynamic', { type: ['object', attrs], value: null });
    expect(hex(dyn).slice(0, 8)).toBe(`92c5${typeJson.length.toString(16).padStart(4, '0')}`);
  });

  it('writes a refined unknown with a BigNumber bound as ext 12 with the bound as text', () => {
    const u = new Unknown(new Map<number, unknown>([[Refinement.NumberLowerBound, [new BigNumber('9007199254740993'), true]]]));
    // ext 8, length 21, type 12, {3: ["9007199254740993", true]}
    expect(hex(encodeMsgpack('number', u))).toBe(`c7150c810392${fixstr('9007199254740993')}c3`);
  });
});
