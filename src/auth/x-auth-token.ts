/**
 * Carbon Black Cloud's `X-Auth-Token: <API Secret Key>/<API ID>`: the secret first, then `/`,
 * then the ID. Both parts are checked locally before anything is sent: neither may be empty or
 * contain `/` (the vendor could not tell where one ends and the other begins), whitespace or
 * control characters (a pasted line break would otherwise split or corrupt the header). A bad
 * part fails with APIACCESS_INVALID_ARGUMENT naming the field (`apiSecretKey` or `apiId`), never
 * its value. One concern only: set the header. It sits in the "auth" slot of `composeDispatcher`.
 */
import { APIACCESS_INVALID_ARGUMENT, ApiAccessError, assertArgument } from '../core/errors';
import { registerSecret } from '../core/redact';
import { createSetHeadersInterceptor, type Interceptor } from './dispatch-utils';
import { createHeaderTokenInterceptor } from './header-token';

/** The header the vendor reads (case-insensitively). */
const X_AUTH_TOKEN_HEADER = 'x-auth-token';

/** Options of {@link createXAuthTokenInterceptor}. */
export interface XAuthTokenInterceptorOptions {
  /**
   * The API Secret Key (formerly "API Key"); or a function returning the current one, called once
   * per dispatch (so once per retry attempt), for clients whose key gets regenerated.
   */
  readonly apiSecretKey: string | (() => string);
  /** The API ID (formerly "Connector ID"); or a function returning it, called once per dispatch. */
  readonly apiId: string | (() => string);
}

function invalid(field: string, message: string): ApiAccessError {
  return new ApiAccessError(APIACCESS_INVALID_ARGUMENT, `"${field}": ${message}`, { field });
}

/**
 * Throws APIACCESS_INVALID_ARGUMENT naming `field` unless `value` can be one half of an
 * X-Auth-Token. The message says what is wrong and never contains the value.
 */
export function assertXAuthTokenPart(value: unknown, field: 'apiSecretKey' | 'apiId'): asserts value is string {
  const label = field === 'apiSecretKey' ? 'the API Secret Key' : 'the API ID';
  if (typeof value !== 'string') throw invalid(field, `must be a string (${label}).`);
  if (value.length === 0) throw invalid(field, `is empty; ${label} is required.`);
  if (value.includes('/')) {
    throw invalid(field, `contains "/", which separates the API Secret Key from the API ID in X-Auth-Token; pass ${label} alone.`);
  }
  if (value.trim() !== value) throw invalid(field, `has leading or trailing whitespace (a copied line break?).`);
  const bad = [...value].findIndex((ch) => ch <= ' ' || ch === '\x7f' || ch > '~');
  if (bad >= 0) throw invalid(field, `character ${bad + 1} is whitespace, a control character or non-ASCII; ${label} is printable ASCII.`);
}

/** The header value for a checked pair, with the secret and the whole token registered for redaction. */
function tokenOf(apiSecretKey: unknown, apiId: unknown): string {
  if (typeof apiSecretKey === 'string') registerSecret(apiSecretKey);
  assertXAuthTokenPart(apiSecretKey, 'apiSecretKey');
  assertXAuthTokenPart(apiId, 'apiId');
  const token = `${apiSecretKey}/${apiId}`;
  registerSecret(token);
  return token;
}

/**
 * Sends `X-Auth-Token: <apiSecretKey>/<apiId>` on every request, replacing any X-Auth-Token the
 * caller set. Fixed values are checked when the interceptor is created (and it then builds on
 * `createHeaderTokenInterceptor`); functions are checked on every dispatch, and a bad value fails
 * that request with APIACCESS_INVALID_ARGUMENT before anything is sent.
 */
export function createXAuthTokenInterceptor(options: XAuthTokenInterceptorOptions): Interceptor {
  assertArgument(typeof options === 'object' && options !== null, '"options"', 'must be an object with "apiSecretKey" and "apiId".');
  const { apiSecretKey, apiId } = options;
  if (typeof apiSecretKey !== 'function' && typeof apiId !== 'function') {
    return createHeaderTokenInterceptor({ [X_AUTH_TOKEN_HEADER]: tokenOf(apiSecretKey, apiId) });
  }
  // Check what is fixed now, so a static mistake fails at construction.
  if (typeof apiSecretKey !== 'function') {
    if (typeof apiSecretKey === 'string') registerSecret(apiSecretKey);
    assertXAuthTokenPart(apiSecretKey, 'apiSecretKey');
  }
  if (typeof apiId !== 'function') assertXAuthTokenPart(apiId, 'apiId');
  return createSetHeadersInterceptor(() => {
    const secret: unknown = typeof apiSecretKey === 'function' ? apiSecretKey() : apiSecretKey;
    const id: unknown = typeof apiId === 'function' ? apiId() : apiId;
    return { [X_AUTH_TOKEN_HEADER]: tokenOf(secret, id) };
  });
}
