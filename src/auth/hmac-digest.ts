/**
 * The HMAC query-signature scheme: every request carries `<keyParam>=<key>&<digestParam>=<digest>` as
 * the last query parameters, where digest = Base64(HMAC(UTF-8 shared key, "<VERB> <full URL>" + body
 * bytes)), percent-encoded. The full URL is the one the dispatcher sends (origin + path + query) before
 * the two parameters are appended; for a request with a body, its exact bytes follow the URL with no
 * separator. The parameter names and the default algorithm are the vendor's ({@link HmacDigestScheme};
 * Silobreaker's are in `src/vendors/silobreaker/auth-params.ts`).
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

/** The HMAC algorithms the signer offers. */
export type DigestAlgorithm = 'sha1' | 'sha512';

/** A vendor's parameters of the scheme. */
export interface HmacDigestScheme {
  /** The query parameter that carries the public key. */
  readonly keyParam: string;
  /** The query parameter that carries the digest. */
  readonly digestParam: string;
  /** The algorithm used when the options name none. */
  readonly algorithm: DigestAlgorithm;
}

/** Options of {@link createHmacDigestInterceptor}. */
export interface HmacDigestOptions {
  /** The public API key, sent as the scheme's `keyParam`. */
  readonly apiKey: string;
  /** The shared secret the digest is made with; never sent. */
  readonly sharedKey: string;
  /** The vendor's parameter names and default algorithm. */
  readonly scheme: HmacDigestScheme;
  /** @default scheme.algorithm */
  readonly algorithm?: DigestAlgorithm;
}

/** A request body the signer can hash: the exact bytes that will be sent. */
export type SignableBody = string | Uint8Array | null | undefined;

/**
 * The digest of one request, Base64 (not yet URL-encoded): HMAC of `"<verb> <url>"` (UTF-8) followed
 * by the body bytes, keyed with the UTF-8 bytes of `sharedKey`. Pure; the interceptor uses it too.
 *
 * @example requestDigest('GET', 'https://api.silobreaker.com/search/documents/Sweden', undefined, 'MySharedKey', 'sha1')
 *          // 'YZHTB5EvNKnLhmpyroyGyq71EmQ='
 */
export function requestDigest(verb: string, url: string, body: SignableBody, sharedKey: string, algorithm: DigestAlgorithm): string {
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
 * The request with the key and digest parameters appended, signed over the URL it is sent to.
 * `opts.query` is folded into the path first (as undici would), so that what is signed is what is sent.
 */
export function signRequest(opts: Dispatcher.DispatchOptions, options: HmacDigestOptions): Dispatcher.DispatchOptions {
  const { keyParam, digestParam } = options.scheme;
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
  if (queryNames(path).some((n) => n === keyParam || n === digestParam)) {
    throw new ApiAccessError(APIACCESS_INVALID_ARGUMENT, `hmac-digest: the request already carries a ${keyParam} or ${digestParam} parameter.`, {
      field: 'path',
    });
  }
  const method = String(opts.method);
  const digest = requestDigest(method, `${origin}${path}`, opts.body as SignableBody, options.sharedKey, options.algorithm ?? options.scheme.algorithm);
  const signedPath = `${path}${path.includes('?') ? '&' : '?'}${encodeURIComponent(keyParam)}=${encodeURIComponent(options.apiKey)}&${encodeURIComponent(digestParam)}=${encodeURIComponent(digest)}`;
  return { ...rest, path: signedPath } as Dispatcher.DispatchOptions;
}

/**
 * Signs every request with the HMAC query signature of `options.scheme`. Requests whose body cannot be signed (a
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
  const scheme = options.scheme;
  assertArgument(
    typeof scheme?.keyParam === 'string' && scheme.keyParam !== '' && typeof scheme.digestParam === 'string' && scheme.digestParam !== '',
    '"scheme"',
    'needs non-empty "keyParam" and "digestParam".',
  );
  registerSecret(options.sharedKey);
  const frozen: HmacDigestOptions = { apiKey: options.apiKey, sharedKey: options.sharedKey, scheme, algorithm: options.algorithm ?? scheme.algorithm };
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
