/**
 * Issue 6: `redact` masks a registered secret in every encoding it takes on the way back from a
 * vendor, and leaves ordinary text alone. The expected encodings are built here with the platform's
 * own encoders (JSON.stringify, encodeURIComponent, URLSearchParams, Buffer), not with redact's code.
 */
import { clearRegisteredSecrets, MIN_SECRET_LENGTH, REDACTED, redact, redactValue, registerSecret } from '../../src/core/redact';

/** A secret with every character class an encoder treats specially. */
const SECRET = `S3cr3t/Pa ss+w0rd!'()*~"q\\z\n€<&>???`;
/** A plain alphanumeric secret, as most vendors issue them. */
const PLAIN = 'Zq8vN2xK4pT7wR1m';

const lowerHex = (s: string): string => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
const strict = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
const b64url = (s: string | Buffer): string => Buffer.from(s).toString('base64url');

beforeEach(() => {
  clearRegisteredSecrets();
  registerSecret(SECRET);
  registerSecret(PLAIN);
});

afterAll(() => clearRegisteredSecrets());

describe('issue 6: redact masks every encoding of a registered secret', () => {
  it('raw', () => {
    expect(redact(`got ${SECRET} back`)).toBe(`got ${REDACTED} back`);
    expect(redact(`got ${PLAIN} back`)).toBe(`got ${REDACTED} back`);
  });

  it('JSON-escaped, as inside a JSON string (\\", \\\\, \\n, \\u20ac)', () => {
    const json = JSON.stringify({ echo: SECRET });
    expect(json).toContain('\\"q\\\\z\\n');
    expect(redact(json)).toBe(`{"echo":"${REDACTED}"}`);
  });

  it('JSON-escaped with / escaped as \\/ and with \\u00xx escapes in either case (Go escapes <, & and >)', () => {
    const goStyle = JSON.stringify(SECRET)
      .slice(1, -1)
      .replace(/\//g, '\\/')
      .replace(/</g, '\\u003c')
      .replace(/&/g, '\\u0026')
      .replace(/>/g, '\\u003E')
      .replace(/€/g, '\\u20AC');
    expect(goStyle).toContain('\\/Pa');
    expect(redact(`{"echo":"${goStyle}"}`)).toBe(`{"echo":"${REDACTED}"}`);
  });

  it('JSON with every character as \\u00xx (an ASCII-only encoder)', () => {
    const allEscaped = [...SECRET].map((c) => (/[A-Za-z0-9]/.test(c) ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)).join('');
    expect(redact(`"${allEscaped}"`)).toBe(`"${REDACTED}"`);
  });

  it('URL-encoded with upper-case hex (encodeURIComponent style)', () => {
    const enc = encodeURIComponent(SECRET);
    expect(enc).toContain('%2F');
    expect(redact(`/x?s=${enc}&y=1`)).toBe(`/x?s=${REDACTED}&y=1`);
  });

  it('URL-encoded with lower-case hex (%2f)', () => {
    const enc = lowerHex(encodeURIComponent(SECRET));
    expect(enc).toContain('%2f');
    expect(redact(`/x?s=${enc}&y=1`)).toBe(`/x?s=${REDACTED}&y=1`);
  });

  it("URL-encoded RFC 3986 strict style (!'()* as %21%27%28%29%2A), upper and lower case", () => {
    const enc = strict(SECRET);
    expect(enc).toContain('%21%27%28%29%2A');
    expect(redact(`s=${enc}`)).toBe(`s=${REDACTED}`);
    expect(redact(`s=${lowerHex(enc)}`)).toBe(`s=${REDACTED}`);
  });

  it('form-encoded (application/x-www-form-urlencoded as URLSearchParams writes it: space as +)', () => {
    const form = new URLSearchParams({ client_id: 'me', client_secret: SECRET, grant_type: 'client_credentials' }).toString();
    expect(form).toContain('Pa+ss');
    expect(redact(form)).toBe(`client_id=me&client_secret=${REDACTED}&grant_type=client_credentials`);
  });

  it('base64 and base64url, with and without padding', () => {
    for (const s of [SECRET, PLAIN]) {
      for (const form of [b64(s), b64(s).replace(/=+$/, ''), b64url(s), `${b64url(s)}==`.slice(0, Math.ceil(b64url(s).length / 4) * 4)]) {
        expect(redact(`blob ${form} end`)).toBe(`blob ${REDACTED} end`);
      }
    }
    expect(b64url(SECRET)).not.toBe(b64(SECRET).replace(/=+$/, '')); // the two alphabets differ for this secret
  });

  it.each([
    ['0 bytes before the secret (alignment 0)', 'abc'],
    ['1 byte before it (alignment 1)', 'abcd'],
    ['2 bytes before it (alignment 2)', 'abcde'],
  ])('inside HTTP Basic base64(client_id:secret), %s: only the boundary characters may stay', (_name, clientId) => {
    for (const secret of [SECRET, PLAIN]) {
      for (const encode of [b64, b64url]) {
        const credential = encode(`${clientId}:${secret}`);
        const out = redact(`Authorization: Basic ${credential} (echoed)`);
        expect(out).toMatch(/^Authorization: Basic [^ ]* \(echoed\)$/);
        const left = out.slice('Authorization: Basic '.length, out.indexOf(REDACTED));
        const right = out.slice(out.indexOf(REDACTED) + REDACTED.length, out.indexOf(' (echoed)'));
        expect(out).toContain(REDACTED);
        // What stays is at most the characters of the client ID and the one character shared with it…
        expect(left.length).toBeLessThanOrEqual(Math.floor((8 * (clientId.length + 1)) / 6) + 1);
        // …and at the end the one mixed character and the padding.
        expect(right.replace(/=+$/, '').length).toBeLessThanOrEqual(1);
        expect(credential.startsWith(left)).toBe(true);
      }
    }
  });

  it('inside a larger base64 string that is not a credential (no "Basic" before it)', () => {
    for (const prefix of ['', 'x', 'xy', 'xyz']) {
      const blob = b64(`${prefix}${PLAIN}{"more":"data"}`);
      const out = redact(blob);
      expect(out).toContain(REDACTED);
      expect(out.length).toBeLessThan(blob.length);
      expect(out.slice(0, out.indexOf(REDACTED)).length).toBeLessThanOrEqual(Math.floor((8 * prefix.length) / 6) + 1);
    }
  });

  it('inside HTTP Basic the way oauth4webapi builds it (both parts form-encoded first, RFC 6749 §2.3.1)', () => {
    const formAll = (s: string): string =>
      encodeURIComponent(s)
        .replace(/[-_.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, '+');
    for (const clientId of ['abc', 'abcd', 'abcde']) {
      const out = redact(`x ${b64(`${formAll(clientId)}:${formAll(SECRET)}`)} y`);
      expect(out).toContain(REDACTED);
      expect(out.slice(2, out.indexOf(REDACTED)).length).toBeLessThanOrEqual(Math.floor((8 * (clientId.length + 1)) / 6) + 1);
    }
  });

  it('a secret containing a newline or other white space is matched whole', () => {
    expect(redact(`a ${SECRET} b`)).toBe(`a ${REDACTED} b`);
    const spaced = 'line one\nline two\tend';
    registerSecret(spaced);
    expect(redact(`said: ${spaced}!`)).toBe(`said: ${REDACTED}!`);
  });

  it('overlapping secrets are masked as one span, whichever is longer', () => {
    registerSecret('123456');
    registerSecret('3456789012');
    expect(redact('id 123456789012 end')).toBe(`id ${REDACTED} end`);
  });

  it('the same secret twice, and next to other text, is masked each time', () => {
    expect(redact(`${PLAIN}${PLAIN}-${PLAIN}`)).toBe(`${REDACTED}-${REDACTED}`);
  });

  it('leaves ordinary text and other base64 alone', () => {
    const text = 'rpc ReadResource took 12 ms; Basic realm; dGhpcyBpcyBub3QgYSBzZWNyZXQ=; Pa ss';
    expect(redact(text)).toBe(text);
  });

  it('is idempotent', () => {
    const once = redact(`${SECRET} and ?apiKey=abc and Bearer abcdefghijkl`);
    expect(redact(once)).toBe(once);
  });
});

describe('issue 6: which values are registered', () => {
  it(`ignores secrets shorter than MIN_SECRET_LENGTH (${MIN_SECRET_LENGTH}): they would mask ordinary words`, () => {
    expect(MIN_SECRET_LENGTH).toBe(6);
    registerSecret('token');
    registerSecret('12345');
    expect(redact('the token 12345 is fine')).toBe('the token 12345 is fine');
    registerSecret('abcdef');
    expect(redact('x abcdef y')).toBe(`x ${REDACTED} y`);
  });

  it('ignores null, undefined and empty values', () => {
    registerSecret(null);
    registerSecret(undefined);
    registerSecret('');
    expect(redact('null undefined')).toBe('null undefined');
  });

  it('also registers a value without its surrounding white space (read from a file with its newline)', () => {
    registerSecret('  from-a-file-secret\n');
    expect(redact('sent from-a-file-secret.')).toBe(`sent ${REDACTED}.`);
  });

  it('clearRegisteredSecrets forgets them all', () => {
    clearRegisteredSecrets();
    expect(redact(PLAIN)).toBe(PLAIN);
  });
});

describe('redact: credentials in well-known shapes, registered or not', () => {
  it('Bearer and Basic values and well-known query parameters', () => {
    expect(redact('Authorization: Bearer eyJhbGciOi.abc.def')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redact('Basic dXNlcjpwYXNzd29yZA==')).toBe(`Basic ${REDACTED}`);
    expect(redact('GET /x?apiKey=k1&digest=d1&other=1')).toBe(`GET /x?apiKey=${REDACTED}&digest=${REDACTED}&other=1`);
  });
});

describe('redactValue', () => {
  it('masks sensitive keys and redacts every string, nested, keys included', () => {
    const out = redactValue({
      client_secret: 'anything',
      nested: { list: [`a ${PLAIN}`, { deeper: encodeURIComponent(SECRET) }], [PLAIN]: 1 },
      count: 3,
      none: null,
    });
    expect(out).toEqual({ client_secret: REDACTED, nested: { list: [`a ${REDACTED}`, { deeper: REDACTED }], [REDACTED]: 1 }, count: 3, none: null });
  });

  it('turns errors, dates, binary data and maps into safe values', () => {
    const err = Object.assign(new Error(`failed with ${PLAIN}`), { code: 'APIACCESS_X' });
    expect(redactValue({ err, at: new Date(0), raw: Buffer.from(PLAIN), m: new Map([['k', PLAIN]]) })).toEqual({
      err: { name: 'Error', code: 'APIACCESS_X', message: `failed with ${REDACTED}` },
      at: '1970-01-01T00:00:00.000Z',
      raw: `[${PLAIN.length} bytes]`,
      m: { k: REDACTED },
    });
  });

  it('cuts nesting deeper than 8 levels', () => {
    let deep: unknown = PLAIN;
    for (let i = 0; i < 12; i++) deep = { d: deep };
    expect(JSON.stringify(redactValue(deep))).not.toContain(PLAIN);
  });
});
