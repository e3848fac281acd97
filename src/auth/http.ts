/**
 * The one request helper every vendor client uses, split in two (send / make sense of the reply):
 * {@link HttpClient.request} sends and returns the raw answer whatever its status, and
 * {@link httpError} turns an answer the client did not expect into a coded {@link ApiAccessError}.
 */
import type { Dispatcher } from 'undici';

import {
  APIACCESS_ABORTED,
  APIACCESS_BAD_RESPONSE,
  APIACCESS_CONFLICT,
  APIACCESS_FORBIDDEN,
  APIACCESS_HTTP_ERROR,
  APIACCESS_INVALID_ARGUMENT,
  APIACCESS_NETWORK_ERROR,
  APIACCESS_NOT_FOUND,
  APIACCESS_RATE_LIMITED,
  APIACCESS_TIMEOUT,
  APIACCESS_UNAUTHORIZED,
  APIACCESS_VENDOR_REJECTED,
  ApiAccessError,
  assertArgument,
  type ApiAccessErrorCode,
} from '../core/errors';
import { silentLogger, type Logger } from '../core/log';
import { REDACTED, redact, redactValue } from '../core/redact';
import { IDEMPOTENT_HEADER, parseRetryAfter } from './retry';

/** Methods the vendor clients use. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

const METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** A query parameter value; arrays repeat the parameter, null and undefined leave it out. */
type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];

/** Options of {@link HttpClient}. */
export interface HttpClientOptions {
  /** Vendor API root, e.g. `https://api.threatjammer.com/v1`; its path is prefixed to every request path. */
  readonly baseUrl: string;
  /** The composed dispatcher (see `composeDispatcher`). */
  readonly dispatcher: Dispatcher;
  /** Time for the whole exchange, body included. @default 30000 */
  readonly timeoutMs?: number;
  /** Vendor name used in error messages and logs, e.g. `carbonblack`. */
  readonly vendor: string;
  /** @default silentLogger */
  readonly logger?: Logger;
}

/** One request. */
export interface HttpRequest {
  readonly method: HttpMethod;
  /** Path below the base URL, starting with `/`; build it with the {@link path} tag. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Strings and Buffers are sent as they are; other objects as JSON with `content-type: application/json`. */
  readonly body?: string | Buffer | object;
  /** Cancels the request; the client adds its own timeout on top. */
  readonly signal?: AbortSignal;
  /**
   * Marks the request as safe (`true`) or unsafe (`false`) to retry whatever its method, e.g. a
   * POST that searches. Left out, the method decides (GET, HEAD, PUT, DELETE, OPTIONS are safe).
   */
  readonly idempotent?: boolean;
  /**
   * Sent as `Idempotency-Key`: the vendor answers a repeat of this request with the first answer
   * instead of acting twice, so the request is also marked safe to retry.
   */
  readonly idempotencyKey?: string;
}

/** The raw answer, whatever its status. */
export interface HttpResponse {
  readonly status: number;
  /** Lower-case names; repeated headers are joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The body parsed as JSON; throws APIACCESS_BAD_RESPONSE when it is not JSON. */
  json<T = unknown>(): T;
}

/** Tag for request paths: every interpolated value is percent-encoded as one path segment. */
export function path(strings: TemplateStringsArray, ...values: readonly (string | number)[]): string {
  let out = strings[0];
  values.forEach((value, i) => {
    // An empty id would turn `DELETE /api-clients/${id}` into `DELETE /api-clients/`.
    assertArgument(
      (typeof value === 'string' && value.length > 0) || (typeof value === 'number' && Number.isFinite(value)),
      '"path"',
      `parameter ${i + 1} must be a non-empty string or a finite number.`,
    );
    const text = String(value);
    // `.` and `..` survive encodeURIComponent and would be resolved as dot-segments.
    out += text === '.' || text === '..' ? text.replace(/\./g, '%2E') : encodeURIComponent(text);
    out += strings[i + 1];
  });
  return out;
}

class ReceivedResponse implements HttpResponse {
  private parsed: { value: unknown } | undefined;

  constructor(
    private readonly vendor: string,
    readonly status: number,
    readonly headers: Readonly<Record<string, string>>,
    readonly text: string,
  ) {}

  json<T = unknown>(): T {
    if (this.parsed === undefined) {
      try {
        this.parsed = { value: JSON.parse(this.text) };
      } catch (err) {
        throw new ApiAccessError(APIACCESS_BAD_RESPONSE, `${this.vendor} answered HTTP ${this.status} with a body that is not JSON.`, {
          status: this.status,
          cause: err,
        });
      }
    }
    return this.parsed.value as T;
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function queryString(query: Readonly<Record<string, QueryValue>> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === null || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, String(v));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Sends requests to one vendor through one composed dispatcher. */
export class HttpClient {
  private readonly origin: string;
  private readonly basePath: string;
  private readonly dispatcher: Dispatcher;
  private readonly timeoutMs: number;
  private readonly vendor: string;
  private readonly logger: Logger;

  constructor(options: HttpClientOptions) {
    assertArgument(typeof options.vendor === 'string' && options.vendor.length > 0, '"vendor"', 'must be a non-empty string.');
    assertArgument(typeof options.dispatcher?.request === 'function', '"dispatcher"', 'must be an undici Dispatcher.');
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new ApiAccessError(APIACCESS_INVALID_ARGUMENT, '"baseUrl": must be an absolute http(s) URL.', { field: 'baseUrl' });
    }
    assertArgument(url.protocol === 'https:' || url.protocol === 'http:', '"baseUrl"', 'must be an absolute http(s) URL.');
    assertArgument(
      url.search === '' && url.hash === '' && url.username === '' && url.password === '',
      '"baseUrl"',
      'must not carry a query, fragment or credentials.',
    );
    const timeoutMs = options.timeoutMs ?? 30_000;
    assertArgument(Number.isFinite(timeoutMs) && timeoutMs > 0, '"timeoutMs"', 'must be a positive number.');
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.dispatcher = options.dispatcher;
    this.timeoutMs = timeoutMs;
    this.vendor = options.vendor;
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * Sends one request and returns the answer whatever its status. Rejects only when there is no
   * answer: APIACCESS_TIMEOUT (after `timeoutMs`), APIACCESS_ABORTED (the caller's signal),
   * APIACCESS_NETWORK_ERROR (connection failures), or a coded error raised by an interceptor.
   */
  async request(req: HttpRequest): Promise<HttpResponse> {
    assertArgument(METHODS.includes(req.method), '"method"', `must be one of ${METHODS.join(', ')}.`);
    assertArgument(typeof req.path === 'string' && req.path.startsWith('/') && !req.path.startsWith('//'), '"path"', 'must start with a single "/".');
    assertArgument(!/[?#]/.test(req.path), '"path"', 'must not carry a query or fragment; use "query".');

    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value;
    let body: string | Buffer | undefined;
    if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) {
      body = req.body;
    } else if (req.body !== undefined && req.body !== null) {
      body = JSON.stringify(req.body);
      headers['content-type'] ??= 'application/json';
    }
    if (req.idempotencyKey !== undefined) {
      assertArgument(/^[\x21-\x7e]{1,255}$/.test(req.idempotencyKey), '"idempotencyKey"', 'must be 1-255 visible ASCII characters.');
      headers['idempotency-key'] = req.idempotencyKey;
    }
    const idempotent = req.idempotent ?? (req.idempotencyKey !== undefined ? true : undefined);
    if (idempotent !== undefined) headers[IDEMPOTENT_HEADER] = String(idempotent);

    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const target = `${req.method} ${this.basePath}${req.path}`;
    const startedAt = Date.now();
    try {
      const answer = await this.dispatcher.request({
        origin: this.origin,
        path: `${this.basePath}${req.path}${queryString(req.query)}`,
        method: req.method,
        headers,
        body,
        signal,
      });
      const text = await answer.body.text();
      this.logger.debug(`${this.vendor}: ${target} answered ${answer.statusCode}`, {
        vendor: this.vendor,
        status: answer.statusCode,
        duration_ms: Date.now() - startedAt,
      });
      return new ReceivedResponse(this.vendor, answer.statusCode, flattenHeaders(answer.headers), text);
    } catch (err) {
      const error = this.failure(err, target, req.signal, timeout);
      this.logger.debug(`${this.vendor}: ${target} failed`, { vendor: this.vendor, code: error.code, error: error.message });
      throw error;
    }
  }

  /** Names why a request got no answer. The caller's cancel wins over the timeout, which wins over the rest. */
  private failure(err: unknown, target: string, callerSignal: AbortSignal | undefined, timeout: AbortSignal): ApiAccessError {
    if (callerSignal?.aborted) {
      return new ApiAccessError(APIACCESS_ABORTED, `${this.vendor}: ${target} was cancelled.`, { cause: err });
    }
    if (timeout.aborted) {
      return new ApiAccessError(APIACCESS_TIMEOUT, `${this.vendor}: ${target} got no complete answer within ${this.timeoutMs} ms.`, { cause: err });
    }
    if (ApiAccessError.isApiAccessError(err)) return err;
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: unknown } | null)?.code;
    return new ApiAccessError(APIACCESS_NETWORK_ERROR, redact(`${this.vendor}: ${target} failed: ${message}${typeof code === 'string' ? ` (${code})` : ''}.`), {
      cause: err,
    });
  }
}

const CODE_BY_STATUS: Readonly<Record<number, ApiAccessErrorCode>> = {
  400: APIACCESS_VENDOR_REJECTED,
  401: APIACCESS_UNAUTHORIZED,
  403: APIACCESS_FORBIDDEN,
  404: APIACCESS_NOT_FOUND,
  409: APIACCESS_CONFLICT,
  422: APIACCESS_VENDOR_REJECTED,
  429: APIACCESS_RATE_LIMITED,
};

/** The error code for an HTTP status. */
function codeForStatus(status: number): ApiAccessErrorCode {
  return CODE_BY_STATUS[status] ?? APIACCESS_HTTP_ERROR;
}

const REQUEST_ID_HEADERS = ['x-request-id', 'request-id', 'x-correlation-id', 'x-amzn-requestid', 'cf-ray'];
const MAX_VENDOR_TEXT = 300;

/** The vendor's own words from common error shapes: `message`, `error_description`, `detail`, `errors[]`… */
function vendorText(body: unknown, depth = 0): string | undefined {
  if (typeof body === 'string') return body.trim() || undefined;
  if (depth > 3 || typeof body !== 'object' || body === null) return undefined;
  if (Array.isArray(body)) {
    const parts = body.map((item) => vendorText(item, depth + 1)).filter((t): t is string => t !== undefined);
    return parts.length > 0 ? parts.join('; ') : undefined;
  }
  const record = body as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ['title', 'error', 'error_code', 'message', 'msg', 'error_description', 'detail', 'details', 'errors']) {
    const text = vendorText(record[key], depth + 1);
    if (text !== undefined && !parts.includes(text)) parts.push(text);
  }
  return parts.length > 0 ? parts.join(': ') : undefined;
}

/**
 * Vendor text on one line, at most MAX_VENDOR_TEXT characters. It is redacted *before* it is
 * folded and cut: a secret containing white space, or cut in half, would no longer be recognised.
 * A mask that straddles the cut is kept whole.
 */
function clip(text: string): string {
  const oneLine = redact(text).replace(/\s+/g, ' ').trim();
  if (oneLine.length <= MAX_VENDOR_TEXT) return oneLine;
  const mask = oneLine.lastIndexOf(REDACTED, MAX_VENDOR_TEXT - 1);
  const end = mask >= 0 && mask + REDACTED.length > MAX_VENDOR_TEXT ? mask + REDACTED.length : MAX_VENDOR_TEXT;
  return `${oneLine.slice(0, end)}…`;
}

/**
 * Turns an answer the caller did not expect into an {@link ApiAccessError}: the code comes from
 * the status (401 → APIACCESS_UNAUTHORIZED, 403 → FORBIDDEN, 404 → NOT_FOUND, 409 → CONFLICT,
 * 429 → RATE_LIMITED, 400/422 → VENDOR_REJECTED, else HTTP_ERROR); the message names the vendor,
 * the status, `message` when given, the vendor's own error text and request ID, all redacted; the
 * redacted body is kept non-enumerable in `body`; Retry-After goes to `retryAfterSeconds`.
 */
export function httpError(vendor: string, response: HttpResponse, message?: string): ApiAccessError {
  let body: unknown = response.text;
  try {
    body = response.json();
  } catch {
    // Not JSON: keep the text.
  }
  const said = vendorText(body);
  const requestId = REQUEST_ID_HEADERS.map((h) => response.headers[h]).find((v) => v !== undefined && v !== '');
  const text =
    `${message ? `${message}: ` : ''}${vendor} answered HTTP ${response.status}` +
    `${said !== undefined ? `: ${clip(said)}` : ''}` +
    `${requestId !== undefined ? ` (request ID ${clip(requestId)})` : ''}`;
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'], Date.now());
  return new ApiAccessError(codeForStatus(response.status), redact(text), {
    status: response.status,
    body: typeof body === 'string' ? redact(body) : redactValue(body),
    ...(retryAfterMs !== null ? { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) } : {}),
  });
}
