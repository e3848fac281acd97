/**
 * Small helpers every interceptor in this folder shares: the interceptor type, header
 * normalisation (undici accepts four header shapes), the request's AbortSignal, a way to fail
 * a request before any connection was made, and the credential-header interceptor the header
 * schemes are built on.
 */
import type { Dispatcher } from 'undici';

import { APIACCESS_ABORTED, ApiAccessError } from '../core/errors';

/** An undici interceptor: takes the next `dispatch` and returns a wrapped one. */
export type Interceptor = Dispatcher.DispatcherComposeInterceptor;

/** Headers with lower-case names; repeated headers keep every value. */
export type HeaderRecord = Record<string, string | string[]>;

/**
 * Returns `headers` (any shape undici accepts: object, flat `[name, value, …]` array, or an
 * iterable of pairs) as a new object with lower-case names. Undefined values are dropped.
 */
export function normalizeHeaders(headers: Dispatcher.DispatchOptions['headers']): HeaderRecord {
  const out: HeaderRecord = {};
  const add = (name: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    const key = name.toLowerCase();
    const values = Array.isArray(value) ? value.map(String) : [String(value)];
    const existing = out[key];
    if (existing === undefined) out[key] = values.length === 1 ? values[0] : values;
    else out[key] = [...(Array.isArray(existing) ? existing : [existing]), ...values];
  };
  if (headers === undefined || headers === null) return out;
  if (Array.isArray(headers)) {
    if (headers.length % 2 !== 0) throw new TypeError('headers array must have an even length');
    for (let i = 0; i < headers.length; i += 2) add(String(headers[i]), headers[i + 1]);
    return out;
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [name, value] of headers as Iterable<[string, string | string[] | undefined]>) add(name, value);
    return out;
  }
  for (const [name, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) add(name, value);
  return out;
}

/** The request's AbortSignal, when the caller gave one (undici also accepts EventEmitters; those are ignored here). */
export function signalOf(opts: Dispatcher.DispatchOptions): AbortSignal | undefined {
  const signal = (opts as { signal?: unknown }).signal as Partial<AbortSignal> | null | undefined;
  // Duck-typed rather than `instanceof`, so a signal from another realm (vm context, jest) counts too.
  return signal && typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function' ? (signal as AbortSignal) : undefined;
}

/** A controller for a request that never reached a connection: nothing to pause, abort or resume. */
class DetachedController implements Dispatcher.DispatchController {
  get aborted(): boolean {
    return false;
  }
  get paused(): boolean {
    return false;
  }
  get reason(): Error | null {
    return null;
  }
  abort(): void {}
  pause(): void {}
  resume(): void {}
}

/**
 * Ends a request that failed before it was dispatched (a cancelled rate-limit wait, a signer that
 * could not sign). undici does the same when a connection cannot be opened: `onResponseError`
 * without `onRequestStart`.
 */
export function failRequest(handler: Dispatcher.DispatchHandler, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  handler.onResponseError?.(new DetachedController(), err);
}

/**
 * Sends a request once `ready` resolves: `send` gets its value and dispatches. A rejection, or a
 * throw from `send`, fails the request through the handler (`onResponseError`) and nothing is sent.
 * Returns true, as an interceptor's dispatch does.
 */
export function sendWhenReady<T>(ready: Promise<T>, handler: Dispatcher.DispatchHandler, send: (value: T) => void): true {
  ready.then(
    (value) => {
      try {
        send(value);
      } catch (err) {
        failRequest(handler, err);
      }
    },
    (err: unknown) => failRequest(handler, err),
  );
  return true;
}

/**
 * An interceptor that sets the headers `headersFor()` returns on every request, replacing any
 * header of the same name (case-insensitive) that the caller set. `headersFor` runs once per
 * dispatch (so once per retry attempt); when it throws, that request fails with its error through
 * the handler (`onResponseError`) and nothing is sent.
 */
export function createSetHeadersInterceptor(headersFor: () => Readonly<Record<string, string>>): Interceptor {
  return (dispatch) =>
    function setHeadersInterceptor(opts, handler) {
      let headers: HeaderRecord;
      try {
        const set = headersFor();
        headers = normalizeHeaders(opts.headers);
        for (const [name, value] of Object.entries(set)) headers[name.toLowerCase()] = value;
      } catch (err) {
        failRequest(handler, err);
        return true;
      }
      return dispatch({ ...opts, headers }, handler);
    };
}

/** The error for a request cancelled by its signal while it waited (for a limiter, for a retry). */
export function abortedError(reason: unknown, message = 'The request was cancelled.'): ApiAccessError {
  return new ApiAccessError(APIACCESS_ABORTED, message, { cause: reason });
}

/** Bodies that can be sent twice. Streams, iterables and FormData are sent once and never re-sent. */
export function isReplayable(body: Dispatcher.DispatchOptions['body']): boolean {
  return body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
}
