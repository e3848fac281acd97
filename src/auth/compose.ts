/**
 * The one place that fixes the order of the interceptors, the same for every vendor.
 *
 * undici's `Dispatcher.compose(a, b, c)` wraps `a` around the base dispatch first and `c` last,
 * so "the last interceptor in the chain is the first to be called". We therefore pass them
 * innermost first. A request travels:
 *
 *   caller
 *     → retry       outermost: every retry goes through everything below again
 *     → rate limit  each attempt (first try and every retry) waits for the budget
 *     → extra       each admitted attempt (logging, extra headers), before signing
 *     → auth        innermost: signs the request exactly as it will be sent
 *     → base dispatcher (the network)
 *
 * Why: a retry is a new call in the vendor's budget, so it must pass the limiter again; and a
 * signature (HMAC digest, OAuth2 bearer, session cookie) must be computed after everything that
 * changes the request, and afresh for every attempt (timestamps and nonces go stale, a token may
 * have been refreshed).
 */
import { Agent, type Dispatcher } from 'undici';

import { assertArgument } from '../core/errors';
import type { Interceptor } from './dispatch-utils';
import { stripIdempotentMarker } from './retry';

/** The interceptors of one vendor client, by role. Each slot is optional. */
export interface ComposeInterceptors {
  /** From `createRateLimitInterceptor`. */
  readonly rateLimit?: Interceptor;
  /** The scheme: header token, OAuth2, HMAC signer, cookie session. Several run in array order, the last one nearest the network. */
  readonly auth?: Interceptor | readonly Interceptor[];
  /** From `createRetryInterceptor`. Without it, the idempotency marker is still removed. */
  readonly retry?: Interceptor;
  /** Anything else that sees or changes each attempt before it is signed; called in array order. */
  readonly extra?: Interceptor | readonly Interceptor[];
}

/** Names of the slots in call order (outermost first), for documentation and tests. */
export const INTERCEPTOR_ORDER = ['retry', 'rateLimit', 'extra', 'auth'] as const;

const list = (value: Interceptor | readonly Interceptor[] | undefined): readonly Interceptor[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value as Interceptor];

/** Without a retry interceptor, nothing else removes the marker header; this does. */
const stripMarker: Interceptor = (dispatch) =>
  function stripIdempotentMarkerInterceptor(opts, handler) {
    return dispatch(stripIdempotentMarker(opts).opts, handler);
  };

/** Returns `base` with the interceptors applied in the order documented above. */
export function composeDispatcher(base: Dispatcher, interceptors: ComposeInterceptors): Dispatcher {
  assertArgument(typeof base?.compose === 'function', '"base"', 'must be an undici Dispatcher.');
  // Call order, outermost first.
  const callOrder: Interceptor[] = [
    interceptors.retry ?? stripMarker,
    ...list(interceptors.rateLimit),
    ...list(interceptors.extra),
    ...list(interceptors.auth),
  ];
  for (const interceptor of callOrder) assertArgument(typeof interceptor === 'function', '"interceptors"', 'each must be a function (dispatch) => dispatch.');
  // compose() calls the last one first, so hand them over innermost first.
  return base.compose([...callOrder].reverse());
}

/**
 * A keep-alive undici Agent: the network end of a composed dispatcher. Vendor clients may not
 * import undici themselves; they start from this.
 */
export function createDefaultDispatcher(): Dispatcher {
  return new Agent({ keepAliveTimeout: 10_000 });
}

/** The dispatcher type vendor clients accept (tests inject their own). */
export type { Dispatcher };
