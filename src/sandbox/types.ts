/** Shapes shared by the sandbox core and the vendor emulators. */
import type { IClock } from '../core/clock';
import type { IdempotencyRecord } from './idempotency';
import type { Router } from './router';

/** A request as an emulator sees it. */
export interface SandboxRequest {
  readonly method: string;
  /** Path below the vendor prefix, e.g. `/management/api-clients/abc`. */
  readonly path: string;
  /**
   * The full URL on the sandbox's own base URL: `baseUrl()` + prefix, path and query exactly as
   * sent. Never built from the `Host` header, so it is safe to reflect.
   */
  readonly url: string;
  /**
   * The URL as the client addressed it (`http://` + the `Host` header + the raw target). Only for
   * checking a signature the client computed over its own URL (Silobreaker's digest); never
   * reflect it or build anything security-relevant from it.
   */
  readonly urlAsSent: string;
  /** The raw query string without `?`, exactly as sent ('' when none). */
  readonly rawQuery: string;
  readonly query: URLSearchParams;
  /** Header names lower-cased; repeated headers joined with ', '. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body bytes received. */
  readonly rawBody: Buffer;
  /** Route parameters (`:clientId`). */
  readonly params: Readonly<Record<string, string>>;
  /** The caller's IP (settable through the control surface for allow-list tests). */
  readonly ip: string;
}

/** What an emulator answers. Objects are sent as JSON. */
export interface SandboxResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** What the sandbox gives each emulator. */
export interface SandboxContext {
  /** Movable clock: real time plus an offset the tests control. */
  readonly clock: IClock;
  /** The sandbox's base URL (no trailing slash), once listening. */
  baseUrl(): string;
}

/** One vendor's emulation: routes below its prefix, and a state that round-trips as JSON. */
export interface VendorEmulator {
  /** Vendor name, e.g. `signicat`; also the key of its part of `/__sandbox/state`. */
  readonly name: string;
  /** Path prefix, e.g. `/signicat`. */
  readonly prefix: string;
  readonly router: Router;
  /** The whole state as plain JSON. */
  snapshot(): unknown;
  /** Replaces the state with a document from `snapshot` (validate it; throw on a bad shape). */
  restore(state: unknown): void;
  /** Restores the seed (and forgets idempotency keys). */
  reset(): void;
  /**
   * The vendor's error shape, for the sandbox core's own answers on this prefix (404, 405, 413;
   * injected faults keep `{"error": "sandbox: injected fault"}`) and the idempotency store's 400/409/422. Without it the core answers
   * `{"error": "sandbox: ..."}`.
   */
  errorBody?(status: number, message: string): SandboxResponse;
  /** The stored idempotency keys (for `GET /__sandbox/idempotency`); never bodies. */
  idempotencyKeys?(): IdempotencyRecord[];
}

/** Builds an emulator for a sandbox. */
export type EmulatorFactory = (ctx: SandboxContext) => VendorEmulator;
