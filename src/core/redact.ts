/**
 * Redaction: every secret the process learns (credentials, issued secrets, tokens) is registered
 * here, and every log line, diagnostic and gRPC error that leaves the process passes through
 * `redact` once, at the boundary where it leaves (log.ts, provider/protocol/wire.ts and serve.ts).
 *
 * A registered secret is masked in every form it is likely to take on the way back from a vendor:
 * raw; JSON-escaped (`\"`, `\\`, `\n`, `\/` or `/`, `\u00xx` in either case); percent-encoded with
 * upper- or lower-case hex (encodeURIComponent, RFC 3986 strict, and form encoding with `+` for a
 * space); base64 and base64url, padded or not, also when the secret sits inside a larger base64
 * string such as an HTTP Basic credential. At registration each secret gets a few literals that
 * every one of its forms contains (its longest alphanumeric run, its base64 slices); `redact` only
 * looks for those (`includes`, fast) and runs the secret's full expression, compiled on first
 * use, when one of them occurs.
 */

/** Secrets shorter than this are not registered: masking them would mask ordinary words. */
export const MIN_SECRET_LENGTH = 6;
/** What a secret is replaced with. */
export const REDACTED = '[REDACTED]';

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
 * text and may stay visible (they give away at most 4 bits of the secret each). Every base64 form
 * contains one of the three `stable` slices.
 */
function base64Forms(bytes: Buffer): { full: string[]; stable: string[] } {
  const whole = bytes.toString('base64');
  const full = [whole, whole.replace(/=+$/, '')];
  const stable: string[] = [];
  for (let k = 0; k < 3; k++) {
    const encoded = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    stable.push(encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6)));
  }
  return { full: [...full, ...full.map(toBase64Url)], stable: [...stable, ...stable.map(toBase64Url)] };
}

/** One registered secret: cheap literal checks first, the full expression only when one hits. */
interface Entry {
  /** The longest run of letters and digits: every textual form contains it literally ('' when none). */
  readonly anchor: string;
  /** Base64 slices: every base64 form contains one of them. */
  readonly needles: readonly string[];
  /** Source of the expression that matches every form (see {@link secretPattern}). */
  readonly pattern: string;
  /** Compiled on the first text that passes the literal checks. */
  regex?: RegExp;
}

const entries = new Map<string, Entry>();

/** The byte strings whose base64 is masked: the secret and each URL/form/JSON encoding of it. */
function encodedVariants(secret: string): Set<string> {
  return new Set([secret, encodeURIComponent(secret), strictPercent(secret), formEncoded(secret), formEncodedAll(secret), JSON.stringify(secret).slice(1, -1)]);
}

/** The regular expression source that matches `secret` in every form it is masked in. */
function secretPattern(secret: string): string {
  const textual = [...secret].map(codePointPattern).join('');
  const literals = new Set<string>();
  for (const v of encodedVariants(secret)) {
    const { full, stable } = base64Forms(Buffer.from(v, 'utf8'));
    for (const f of [...full, ...stable]) literals.add(f);
  }
  // Longest first: at one position the alternation takes the first branch that matches.
  const b64 = [...literals].sort((a, b) => b.length - a.length).map(escapeRegex);
  return [textual, ...b64].join('|');
}

function entryFor(secret: string): Entry {
  const needles = new Set<string>();
  for (const v of encodedVariants(secret)) for (const n of base64Forms(Buffer.from(v, 'utf8')).stable) needles.add(n);
  const runs = secret.match(/[A-Za-z0-9]+/g) ?? [];
  const anchor = runs.reduce((a, b) => (b.length > a.length ? b : a), '');
  return { anchor, needles: [...needles], pattern: secretPattern(secret) };
}

/**
 * Remembers `value` as a secret so that {@link redact} masks it from now on. Values shorter than
 * {@link MIN_SECRET_LENGTH} are ignored; a value with surrounding white space is also registered
 * trimmed (it is often read from a file with its newline).
 */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string') return;
  for (const v of new Set([value, value.trim()])) {
    if (v.length >= MIN_SECRET_LENGTH && !entries.has(v)) entries.set(v, entryFor(v));
  }
}

/** Forgets all registered secrets (tests only). */
export function clearRegisteredSecrets(): void {
  entries.clear();
}

/** Whether `text` may contain `e` in some form: its anchor or one of its base64 slices occurs. */
function mayContain(e: Entry, text: string): boolean {
  if (text.includes(e.anchor)) return true; // '' (no anchor) is always included
  for (const n of e.needles) if (text.includes(n)) return true;
  return false;
}

/** Masks each span of `text` that any registered secret covers (overlapping secrets are masked as one). */
function maskSecrets(text: string): string {
  const spans: [number, number][] = [];
  for (const e of entries.values()) {
    if (!mayContain(e, text)) continue;
    const regex = (e.regex ??= new RegExp(e.pattern, 'g'));
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) spans.push([m.index, m.index + m[0].length]);
  }
  if (spans.length === 0) return text;
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
  let out = entries.size > 0 ? maskSecrets(text) : text;
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
