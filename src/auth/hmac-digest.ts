/**
 * Silobreaker's API-key scheme: every request carries `apiKey=<ApiKey>&digest=<digest>` as the last
 * query parameters, where digest = Base64(HMAC-SHA1(UTF-8 SharedKey, "<VERB> <full URL>" + body bytes)),
 * percent-encoded. The full URL is the one the dispatcher sends (origin + path + query) before the two
 * parameters are appended; for a request with a body, its exact bytes follow the URL with no separator.
 *
 * One concern only: sign and append. It sits in the innermost "auth" slot of `composeDispatcher`, so
 * it signs the request exactly as it leaves, afresh for every retry attempt.
 */
import { createHmac } from 'node:crypto';
import { stringify } from 'node:querystring';
import type { Dispatcher } from 'undici';

import { APIACCESS_INVALID_ARGUMENT, ApiAccessError, assertArgument } from '../core/errors';
import { registerSecret } from '../core/redact';
import { failRequest, type Interceptor } from './dispatch-utils';

/** HMAC algorithms: SHA-1 is documented; SHA-512 is what a 2025 partner integration uses. */
export type DigestAlgorithm = 'sha1' | 'sha512';

/** Options of {@link createHmacDigestInterceptor}. */
export interface HmacDigestOptions {
  /** The public API key, sent as `apiKey`. */
  readonly apiKey: string;
  /** The shared secret the digest is made with; never sent. */
  readonly sharedKey: string;
  /** @default 'sha1' */
  readonly algorithm?: DigestAlgorithm;
}

/** A request body the signer can hash: the exact bytes that will be sent. */
export type SignableBody = string | Uint8Array | null | undefined;

/**
 * The digest of one request, Base64 (not yet URL-encoded): HMAC of `"<verb> <url>"` (UTF-8) followed
 * by the body bytes, keyed with the UTF-8 bytes of `sharedKey`. Pure; the interceptor uses it too.
 *
 * @example silobreakerDigest('GET', 'https://api.silobreaker.com/search/documents/Sweden', undefined, 'MySharedKey')
 *          // 'YZHTB5EvNKnLhmpyroyGyq71EmQ='
 */
export function silobreakerDigest(verb: string, url: string, body: SignableBody, sharedKey: string, algorithm: DigestAlgorithm = 'sha1'): string {
  assertArgument(typeof verb === 'string' && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(verb), '"verb"', 'must be an HTTP method, written as it is sent.');
  assertArgument(typeof url === 'string' && /^https?:\/\/[^/?#]+/.test(url), '"url"', 'must be an absolute http(s) URL.');
  assertArgument(typeof sharedKey === 'string' && sharedKey.length > 0, '"sharedKey"', 'must be a non-empty string.');
  assertArgument(algorithm === 'sha1' || algorithm === 'sha512', '"algorithm"', 'must be "sha1" or "sha512".');
  const hmac = createHmac(algorithm, Buffer.from(sharedKey, 'utf8'));
  hmac.update(Buffer.from(`${verb} ${url}`, 'utf8'));
  const bytes = bodyBytes(body);
  if (bytes.length > 0) hmac.update(bytes);
  return hmac.digest('base64');
}

/** The bytes of a body as undici sends them; throws for bodies that cannot be known in advance. */
function bodyBytes(body: unknown): Uint8Array {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  throw new ApiAccessError(
    APIACCESS_INVALID_ARGUMENT,
    'hmac-digest: the request body must be a string, Buffer or Uint8Array; a stream, iterable, Blob or FormData cannot be signed before it is sent.',
    { field: 'body' },
  );
}

/** `origin` as undici will address it: scheme://host[:port], default ports left out (as in the Host header). */
function originOf(origin: Dispatcher.DispatchOptions['origin']): string {
  let url: URL;
  try {
    url = new URL(String(origin));
  } catch {
    throw new ApiAccessError(APIACCESS_INVALID_ARGUMENT, 'hmac-digest: the request has no absolute origin to sign.', { field: 'origin' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ApiAccessError(APIACCESS_INVALID_ARGUMENT, 'hmac-digest: the origin must be http or https.', { field: 'origin' });
  }
  return url.origin;
}

/** Names of the query parameters in a path (form-decoded). */
function queryNames(path: string): string[] {
  const q = path.indexOf('?');
  if (q < 0) return [];
  return path
    .slice(q + 1)
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const name = p.split('=', 1)[0]!;
      try {
        return decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        return name;
      }
    });
}

/**
 * The request with `apiKey` and `digest` appended, signed over the URL it is sent to. `opts.query`
 * is folded into the path first (as undici would), so that what is signed is what is sent.
 */
export function signRequest(opts: Dispatcher.DispatchOptions, options: HmacDigestOptions): Dispatcher.DispatchOptions {
  const origin = originOf(opts.origin);
  let path = opts.path;
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new ApiAccessError(APIACCESS_INVALID_ARGUMENT, 'hmac-digest: the request path must start with "/".', { field: 'path' });
  }
  if (path.includes('#')) throw new ApiAccessError(APIACCESS_INVALID_ARGUMENT, 'hmac-digest: the request path must not carry a fragment.', { field: 'path' });
  const { query, ...rest } = opts as Dispatcher.DispatchOptions & { query?: Record<string, unknown> };
  if (query !== undefined && query !== null) {
    if (path.includes('?'))
      throw new ApiAccessError(APIACCESS_INVALID_ARGUMENT, 'hmac-digest: give the query either in the path or in "query", not both.', { field: 'query' });
    const text = stringify(query as Parameters<typeof stringify>[0]);
    if (text) path += `?${text}`;
  }
  // A dangling "?" or "&" would be sent as part of the URL but lost when the server removes the two parameters.
  path = path.replace(/[?&]+$/, '');
  if (queryNames(path).some((n) => n === 'apiKey' || n === 'digest')) {
    throw new ApiAccessError(APIACCESS_INVALID_ARGUMENT, 'hmac-digest: the request already carries an apiKey or digest parameter.', { field: 'path' });
  }
  const method = String(opts.method);
  const digest = silobreakerDigest(method, `${origin}${path}`, opts.body as SignableBody, options.sharedKey, options.algorithm ?? 'sha1');
  const signedPath = `${path}${path.includes('?') ? '&' : '?'}apiKey=${encodeURIComponent(options.apiKey)}&digest=${encodeURIComponent(digest)}`;
  return { ...rest, path: signedPath } as Dispatcher.DispatchOptions;
}

/**
 * Signs every request with Silobreaker's API-key digest. Requests whose body cannot be signed (a
 * stream, an async iterable) fail with APIACCESS_INVALID_ARGUMENT before anything is sent.
 */
export function createHmacDigestInterceptor(options: HmacDigestOptions): Interceptor {
  assertArgument(typeof options?.apiKey === 'string' && options.apiKey.length > 0, '"apiKey"', 'must be a non-empty string.');
  assertArgument(typeof options.sharedKey === 'string' && options.sharedKey.length > 0, '"sharedKey"', 'must be a non-empty string.');
  assertArgument(
    options.algorithm === undefined || options.algorithm === 'sha1' || options.algorithm === 'sha512',
    '"algorithm"',
    'must be "sha1" or "sha512".',
  );
  registerSecret(options.sharedKey);
  const frozen: HmacDigestOptions = { apiKey: options.apiKey, sharedKey: options.sharedKey, algorithm: options.algorithm ?? 'sha1' };
  return (dispatch) =>
    function hmacDigestInterceptor(opts, handler) {
      let signed: Dispatcher.DispatchOptions;
      try {
        signed = signRequest(opts, frozen);
      } catch (err) {
        failRequest(handler, err);
        return true;
      }
      return dispatch(signed, handler);
    };
}
