/**
 * One error class for the whole project, told apart by stable `code`s (never by message text).
 * Evidence (the HTTP status, the vendor's error body) is kept in non-enumerable fields so that
 * logging or serialising an error cannot leak a secret by accident.
 */

/** Codes carried by {@link ApiAccessError}. Tests and callers match on these, not on prose. */
export const APIACCESS_INVALID_ARGUMENT = 'APIACCESS_INVALID_ARGUMENT';
export const APIACCESS_CONFIG_MISSING = 'APIACCESS_CONFIG_MISSING';
export const APIACCESS_HTTP_ERROR = 'APIACCESS_HTTP_ERROR';
export const APIACCESS_UNAUTHORIZED = 'APIACCESS_UNAUTHORIZED';
export const APIACCESS_FORBIDDEN = 'APIACCESS_FORBIDDEN';
export const APIACCESS_NOT_FOUND = 'APIACCESS_NOT_FOUND';
export const APIACCESS_CONFLICT = 'APIACCESS_CONFLICT';
export const APIACCESS_RATE_LIMITED = 'APIACCESS_RATE_LIMITED';
export const APIACCESS_VENDOR_REJECTED = 'APIACCESS_VENDOR_REJECTED';
export const APIACCESS_BAD_RESPONSE = 'APIACCESS_BAD_RESPONSE';
export const APIACCESS_OAUTH_ERROR = 'APIACCESS_OAUTH_ERROR';
export const APIACCESS_NETWORK_ERROR = 'APIACCESS_NETWORK_ERROR';
export const APIACCESS_TIMEOUT = 'APIACCESS_TIMEOUT';
export const APIACCESS_ABORTED = 'APIACCESS_ABORTED';
export const APIACCESS_LOGIN_DELAYED = 'APIACCESS_LOGIN_DELAYED';
/** A create was sent but no answer confirmed it; the create journal keeps its key. */
export const APIACCESS_CREATE_UNCONFIRMED = 'APIACCESS_CREATE_UNCONFIRMED';

export type ApiAccessErrorCode =
  | typeof APIACCESS_INVALID_ARGUMENT
  | typeof APIACCESS_CONFIG_MISSING
  | typeof APIACCESS_HTTP_ERROR
  | typeof APIACCESS_UNAUTHORIZED
  | typeof APIACCESS_FORBIDDEN
  | typeof APIACCESS_NOT_FOUND
  | typeof APIACCESS_CONFLICT
  | typeof APIACCESS_RATE_LIMITED
  | typeof APIACCESS_VENDOR_REJECTED
  | typeof APIACCESS_BAD_RESPONSE
  | typeof APIACCESS_OAUTH_ERROR
  | typeof APIACCESS_NETWORK_ERROR
  | typeof APIACCESS_TIMEOUT
  | typeof APIACCESS_ABORTED
  | typeof APIACCESS_LOGIN_DELAYED
  | typeof APIACCESS_CREATE_UNCONFIRMED;

const BRAND = Symbol.for('apiaccess.ApiAccessError');

/** Options for {@link ApiAccessError}. */
export interface ApiAccessErrorOptions {
  /** The underlying error; kept non-enumerable. */
  readonly cause?: unknown;
  /** HTTP status of the vendor answer, when there was one. */
  readonly status?: number;
  /** The vendor's parsed error body (already redacted by the caller); kept non-enumerable. */
  readonly body?: unknown;
  /** Seconds the vendor asked us to wait (Retry-After), when it said so. */
  readonly retryAfterSeconds?: number;
  /** Names of the attribute or field the problem is about, e.g. `access_token_lifetime`. */
  readonly field?: string;
}

/** The one error class of the project. Identify it with {@link ApiAccessError.isApiAccessError}. */
export class ApiAccessError extends Error {
  /** True when `x` is an ApiAccessError from any copy of this package. */
  static isApiAccessError(x: unknown): x is ApiAccessError {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }

  readonly code: ApiAccessErrorCode;
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  readonly field?: string;
  declare readonly body?: unknown;

  constructor(code: ApiAccessErrorCode, message: string, options: ApiAccessErrorOptions = {}) {
    super(message);
    this.name = 'ApiAccessError';
    this.code = code;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    if (options.field !== undefined) this.field = options.field;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
    Object.defineProperty(this, 'body', { value: options.body, enumerable: false });
    if (options.cause !== undefined) Object.defineProperty(this, 'cause', { value: options.cause, enumerable: false });
  }
}

/** Throws an {@link APIACCESS_INVALID_ARGUMENT} error naming `field` unless `ok`. */
export function assertArgument(ok: unknown, field: string, message: string): asserts ok {
  if (!ok) throw new ApiAccessError(APIACCESS_INVALID_ARGUMENT, `${field}: ${message}`, { field });
}
