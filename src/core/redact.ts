/**
 * Redaction: every secret the process learns (credentials, issued secrets, tokens) is registered
 * here, and every log line, diagnostic and gRPC error that leaves the process passes through
 * `redact` once, at the boundary where it leaves (log.ts, provider/protocol/wire.ts and serve.ts).
 *
 * A registered secret is masked in every form it is likely to take on the way back from a vendor:
 * raw; JSON-escaped (`\"`, `\\`, `\n`, `\/` or `/`, `\u00xx` in either case); percent-encoded with
 * upper- or lower-case hex (encodeURIComponent, RFC 3986 strict, and form encoding with `+` for a
 * space); base64 and base64url, padded or not, also when the secret sits inside a larger base64
 * string such as an HTTP Basic credential. The forms are compiled into one regular expression per
 * secret when it is registered, so `redact` costs one scan of the text when nothing matches.
 */

/** Secrets shorter than this are not registered: masking them would mask ordinary words. */
export const MIN_SECRET_LENGTH = 6;
/** What a secret is replaced with. */
export const REDACTED = '[REDACTED]';

interface Entry {
  readonly pattern: string;
  readonly regex: RegExp;
}

const entries = new Map<string, Entry>();
/** All secrets' patterns in one alternation: a single scan tells whether any secret occurs at all. */
let anySecret: RegExp | null = null;

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** `n` as `width` hex digits, each letter matching either case (`2f` → `2[fF]`). */
function hexAnyCase(n: number, width: number): string {
  return n
    .toString(16)
    .padStart(width, '0')
    .replace(/[a-f]/g, (c) => `[${c}${c.toUpperCase()}]`);
}

const JSON_SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * A pattern matching one code point in each textual encoding: itself, its JSON escapes (short form
 * and `\uXXXX` in any case), its percent-encoded UTF-8 bytes in any case, and `+` for a space. Letters
 * and digits are left literal: no encoder in use escapes them.
 */
function codePointPattern(ch: string): string {
  if (/^[A-Za-z0-9]$/.test(ch)) return ch;
  const alternatives = new Set<string>([escapeRegex(ch)]);
  const short = JSON_SHORT_ESCAPES[ch];
  if (short !== undefined) alternatives.add(escapeRegex(short));
  let unicode = '';
  for (let i = 0; i < ch.length; i++) unicode += `\\\\u${hexAnyCase(ch.charCodeAt(i), 4)}`;
  alternatives.add(unicode);
  alternatives.add([...Buffer.from(ch, 'utf8')].map((b) => `%${hexAnyCase(b, 2)}`).join(''));
  if (ch === ' ') alternatives.add('\\+');
  return `(?:${[...alternatives].join('|')})`;
}

const strictPercent = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
/** application/x-www-form-urlencoded as URLSearchParams writes it. */
const formEncoded = (s: string): string => new URLSearchParams({ s }).toString().slice(2);
/** RFC 6749 §2.3.1 (what oauth4webapi puts inside HTTP Basic): every non-alphanumeric escaped, `+` for a space. */
const formEncodedAll = (s: string): string =>
  encodeURIComponent(s)
    .replace(/[-_.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

const toBase64Url = (b64: string): string => b64.replace(/\+/g, '-').replace(/\//g, '_');

/**
 * Base64 forms of `bytes`: the whole encoding (padded and unpadded, both alphabets), and for a
 * secret embedded in a larger base64 string, the characters that depend on the secret alone.
 * Inside a larger string the secret starts at byte offset 0, 1 or 2 of a 3-byte group. A base64
 * character carries 6 bits, so at offset k the first character wholly inside the secret is number
 * ceil(8k/6), and the last is the one before floor(8(k+n)/6): the characters before and after mix
 * the secret's first or last bits with the neighbouring bytes, so they depend on the surrounding
 * text and may stay visible (they give away at most 4 bits of the secret each).
 */
function base64Forms(bytes: Buffer): string[] {
  const forms: string[] = [];
  const full = bytes.toString('base64');
  forms.push(full, full.replace(/=+$/, ''));
  for (let k = 0; k < 3; k++) {
    const encoded = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    const stable = encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6));
    if (stable.length >= MIN_SECRET_LENGTH) forms.push(stable);
  }
  return [...forms, ...forms.map(toBase64Url)];
}

/** The regular expression source that matches `secret` in every form it is masked in. */
export function secretPattern(secret: string): string {
  const textual = [...secret].map(codePointPattern).join('');
  const variants = new Set([
    secret,
    encodeURIComponent(secret),
    strictPercent(secret),
    formEncoded(secret),
    formEncodedAll(secret),
    JSON.stringify(secret).slice(1, -1),
  ]);
  const literals = new Set<string>();
  for (const v of variants) for (const f of base64Forms(Buffer.from(v, 'utf8'))) literals.add(f);
  // Longest first: at one position the alternation takes the first branch that matches.
  const b64 = [...literals].sort((a, b) => b.length - a.length).map(escapeRegex);
  return [textual, ...b64].join('|');
}

function rebuild(): void {
  const patterns = [...entries.values()].map((e) => e.pattern);
  anySecret = patterns.length > 0 ? new RegExp(patterns.join('|')) : null;
}

/**
 * Remembers `value` as a secret so that {@link redact} masks it from now on. Values shorter than
 * {@link MIN_SECRET_LENGTH} are ignored; a value with surrounding white space is also registered
 * trimmed (it is often read from a file with its newline).
 */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string') return;
  let changed = false;
  for (const v of new Set([value, value.trim()])) {
    if (v.length < MIN_SECRET_LENGTH || entries.has(v)) continue;
    const pattern = secretPattern(v);
    entries.set(v, { pattern, regex: new RegExp(pattern, 'g') });
    changed = true;
  }
  if (changed) rebuild();
}

/** Forgets all registered secrets (tests only). */
export function clearRegisteredSecrets(): void {
  entries.clear();
  anySecret = null;
}

/** Masks each span of `text` that any registered secret covers (overlapping secrets are masked as one). */
function maskSecrets(text: string): string {
  const spans: [number, number][] = [];
  for (const { regex } of entries.values()) {
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      if (m[0].length === 0) {
        regex.lastIndex += 1;
        continue;
      }
      spans.push([m.index, m.index + m[0].length]);
    }
  }
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    if (end <= at) continue;
    if (start > at) out += text.slice(at, start);
    if (start >= at) out += REDACTED;
    at = end;
  }
  return out + text.slice(at);
}

const SENSITIVE_KEYS =
  /^(authorization|x-auth-token|x-api-token|cookie|set-cookie|client_secret|clientsecret|secret|password|newpassword|token|access_token|apikey|api_key|digest|sharedkey|shared_key|value|key)$/i;

/** Masks every registered secret (in each of its forms) inside `text`, and credentials in well-known shapes. */
export function redact(text: string): string {
  let out = anySecret !== null && anySecret.test(text) ? maskSecrets(text) : text;
  // Bearer/Basic credentials and well-known query parameters, even when not registered.
  out = out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${REDACTED}`);
  out = out.replace(/([?&](?:apiKey|digest|client_secret|access_token)=)[^&\s"']+/gi, `$1${REDACTED}`);
  // Two masks side by side (a Basic credential whose secret part was masked first) read as one.
  return out.includes(REDACTED + REDACTED) ? out.replace(/(?:\[REDACTED\]){2,}/g, REDACTED) : out;
}

/**
 * Returns a copy of a JSON-like value where sensitive keys are masked and every string (keys
 * included) is redacted. Errors become `{ name, code, message }`, dates ISO strings, binary data
 * its length; nesting deeper than 8 levels is cut.
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return redact(value);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return value.toISOString();
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, ...(typeof code === 'string' ? { code } : {}), message: redact(value.message) };
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const source = value instanceof Map ? Object.fromEntries(value) : value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(source)) {
    out[redact(k)] = SENSITIVE_KEYS.test(k) && v !== null && v !== undefined && v !== '' ? REDACTED : redactValue(v, depth + 1);
  }
  return out;
}
