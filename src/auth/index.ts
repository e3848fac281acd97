/** The shared HTTP module of the vendor clients: interceptors, their fixed order, the request helper. */
export { composeDispatcher, createDefaultDispatcher, INTERCEPTOR_ORDER, type ComposeInterceptors } from './compose';
export { abortedError, failRequest, headerValue, normalizeHeaders, signalOf, type HeaderRecord, type Interceptor } from './dispatch-utils';
export { createHeaderTokenInterceptor, type HeaderTokenSource } from './header-token';
export {
  codeForStatus,
  HttpClient,
  httpError,
  path,
  type HttpClientOptions,
  type HttpMethod,
  type HttpRequest,
  type HttpResponse,
  type QueryValue,
} from './http';
export {
  createRateLimitInterceptor,
  defaultLimiterRegistry,
  LimiterRegistry,
  limiterFor,
  limiterKey,
  SlidingWindowLimiter,
  TokenBucketLimiter,
  type ILimiter,
  type SlidingWindowLimiterOptions,
  type TokenBucketLimiterOptions,
} from './rate-limit';
export {
  createDefaultRetryPolicy,
  createRetryInterceptor,
  DEFAULT_RETRY_ERROR_CODES,
  DEFAULT_RETRY_STATUS_CODES,
  IDEMPOTENT_HEADER,
  IDEMPOTENT_METHODS,
  parseRetryAfter,
  stripIdempotentMarker,
  type RetryContext,
  type RetryOptions,
  type RetryPolicy,
} from './retry';
export * from './oauth2-client-credentials';
export * from './bearer-key';
export * from './hmac-digest';
export * from './cookie-session';
export * from './x-auth-token';
