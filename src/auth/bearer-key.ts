/**
 * `Authorization: Bearer <key>` with a key of a fixed, prefixed shape ({@link BearerKeyFormat}; Threat
 * Jammer's, `tja_` + 36 base-62 characters, is in `src/vendors/threatjammer/auth-params.ts`). The key is checked locally before anything is sent, so a
 * pasted key with a stray newline, a `Bearer ` too many or a truncated payload fails with a
 * precise APIACCESS_INVALID_ARGUMENT instead of a vendor 401 (which would, at Threat Jammer,
 * not even say what is wrong). Messages describe the problem and never contain the key.
 * One concern only: set the header. It sits in the "auth" slot of `composeDispatcher`.
 */
import { APIACCESS_INVALID_ARGUMENT, ApiAccessError, assertArgument } from '../core/errors';
import { registerSecret } from '../core/redact';
import { createSetHeadersInterceptor, type Interceptor } from './dispatch-utils';

/** The shape of a key: a fixed prefix followed by a fixed number of base-62 characters. */
export interface BearerKeyFormat {
  /** The fixed prefix, e.g. `tja_`. */
  readonly prefix: string;
  /** Number of base-62 characters after the prefix. */
  readonly payloadLength: number;
  /** Vendor name used in messages. */
  readonly vendor: string;
}

/** Options of {@link createBearerKeyInterceptor}. */
export interface BearerKeyInterceptorOptions {
  /**
   * The API key, without the `Bearer ` prefix; or a function returning the current key, called
   * once per dispatch (so once per retry attempt), for clients that regenerate their key.
   */
  readonly apiKey: string | (() => string);
  /** The vendor's key shape. */
  readonly format: BearerKeyFormat;
}

const BASE62 = /^[0-9A-Za-z]$/;

/** Names a character without showing anything that could be part of a valid key. */
function describeCharacter(ch: string): string {
  const named: Record<string, string> = { ' ': 'a space', '\t': 'a tab', '\n': 'a line break', '\r': 'a carriage return' };
  if (named[ch] !== undefined) return named[ch];
  const code = ch.codePointAt(0) ?? 0;
  // Printable ASCII punctuation cannot occur in a valid key, so naming it leaks nothing.
  if (code > 0x20 && code < 0x7f) return `"${ch}"`;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

function invalid(message: string): ApiAccessError {
  return new ApiAccessError(APIACCESS_INVALID_ARGUMENT, `"apiKey": ${message}`, { field: 'apiKey' });
}

/**
 * Throws APIACCESS_INVALID_ARGUMENT unless `key` has the shape `format` describes. The message
 * says what is wrong (missing, wrong prefix, wrong length with the actual length, a character
 * outside base-62 with its 1-based position) and never contains the key.
 */
export function assertBearerKey(key: unknown, format: BearerKeyFormat): asserts key is string {
  const total = format.prefix.length + format.payloadLength;
  const shape = `${format.vendor} keys are "${format.prefix}" followed by ${format.payloadLength} base-62 characters (0-9, A-Z, a-z), ${total} in all`;
  if (typeof key !== 'string' || key.length === 0) throw invalid(`is missing. ${shape}.`);
  if (/^bearer\s/i.test(key)) throw invalid(`starts with "Bearer ". Pass the key alone; the "Bearer" prefix is added to the header for you.`);
  const trimmed = key.trim();
  if (!key.startsWith(format.prefix)) {
    const hint = trimmed !== key && trimmed.startsWith(format.prefix) ? ' It has leading whitespace.' : '';
    throw invalid(`does not start with "${format.prefix}".${hint} ${shape}.`);
  }
  if (key.length !== total) {
    const hint = trimmed !== key ? ' It has trailing whitespace (a copied line break?).' : '';
    throw invalid(`is ${key.length} characters long, expected ${total}.${hint} ${shape}.`);
  }
  for (let i = format.prefix.length; i < key.length; i++) {
    if (!BASE62.test(key[i]!)) {
      throw invalid(`character ${i + 1} is ${describeCharacter(key[i]!)}, which is not base-62. ${shape}.`);
    }
  }
}

/**
 * Sends `Authorization: Bearer <apiKey>` on every request, replacing any Authorization header the
 * caller set. A fixed key is checked (and registered for redaction) when the interceptor is
 * created; a key function is checked on every dispatch, and a bad key fails that request with
 * APIACCESS_INVALID_ARGUMENT before anything is sent.
 */
export function createBearerKeyInterceptor(options: BearerKeyInterceptorOptions): Interceptor {
  assertArgument(typeof options === 'object' && options !== null, '"options"', 'must be an object with "apiKey".');
  const { apiKey } = options;
  const format = options.format;
  assertArgument(
    typeof format?.prefix === 'string' && Number.isInteger(format.payloadLength) && format.payloadLength > 0,
    '"format"',
    'needs a string "prefix" and a positive integer "payloadLength".',
  );
  if (typeof apiKey === 'function') {
    // Checked per dispatch below.
  } else {
    if (typeof apiKey === 'string') registerSecret(apiKey);
    assertBearerKey(apiKey, format);
  }
  return createSetHeadersInterceptor(() => {
    const current: unknown = typeof apiKey === 'function' ? apiKey() : apiKey;
    if (typeof current === 'string') registerSecret(current);
    assertBearerKey(current, format);
    return { authorization: `Bearer ${current}` };
  });
}
