/**
 * Credential headers given as they are sent, on every request (Signal Sciences' `x-api-user` +
 * `x-api-token`; `createXAuthTokenInterceptor` uses it for a fixed X-Auth-Token). Schemes that
 * check a key's shape first have their own interceptor (`bearer-key.ts`, `x-auth-token.ts`).
 * One concern only: set the headers. It sits in the "auth" slot of {@link composeDispatcher}.
 */
import { assertArgument } from '../core/errors';
import { registerSecret } from '../core/redact';
import { createSetHeadersInterceptor, type Interceptor } from './dispatch-utils';

/** The credential headers, or a function returning them per request (for rotation). */
export type HeaderTokenSource = Readonly<Record<string, string>> | (() => Readonly<Record<string, string>>);

const AUTH_SCHEME = /^(?:Bearer|Basic|Token|ApiKey)\s+(\S.*)$/i;

/**
 * Registers every header value as a secret, and also the credential part after an auth scheme
 * (`Bearer <key>` registers `<key>` too). Values that are not secret by themselves (an API user
 * name) are masked as well: over-masking a log line is cheaper than leaking a credential. Parts of
 * compound values (Carbon Black's `SECRET/ID`) are not split: the vendor client registers its
 * secret on its own.
 */
function registerHeaderSecrets(headers: Readonly<Record<string, string>>): void {
  for (const value of Object.values(headers)) {
    registerSecret(value);
    const scheme = AUTH_SCHEME.exec(value);
    if (scheme) registerSecret(scheme[1]);
  }
}

function checkHeaders(headers: unknown): asserts headers is Readonly<Record<string, string>> {
  assertArgument(typeof headers === 'object' && headers !== null, '"headers"', 'must be an object of header names to values.');
  for (const [name, value] of Object.entries(headers)) {
    assertArgument(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name), '"headers"', `"${name}" is not a valid header name.`);
    assertArgument(typeof value === 'string' && value.length > 0, '"headers"', `the value of "${name}" must be a non-empty string.`);
    assertArgument(!/[\r\n\0]/.test(value), '"headers"', `the value of "${name}" contains a line break or NUL.`);
  }
}

/**
 * Sets `headers` on every request, replacing any header of the same name (case-insensitive) that
 * the caller set. Fixed headers are checked when the interceptor is created; a function is called
 * and its answer checked once per dispatch (so once per retry attempt), and a bad answer (or a
 * function that throws) fails that request with the error before anything is sent.
 */
export function createHeaderTokenInterceptor(headers: HeaderTokenSource): Interceptor {
  if (typeof headers !== 'function') {
    checkHeaders(headers);
    registerHeaderSecrets(headers);
    return createSetHeadersInterceptor(() => headers);
  }
  return createSetHeadersInterceptor(() => {
    const token: unknown = headers();
    checkHeaders(token);
    registerHeaderSecrets(token);
    return token;
  });
}
