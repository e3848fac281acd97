/**
 * The one idempotent-create helper every resource uses (through `ResourceContext.createOnce`).
 *
 * A create is identified by a random key made for this call and written to the create journal
 * before the request goes out; the vendor gets it as `Idempotency-Key`. When the answer is lost
 * (reset, timeout, 5xx), the same request is sent again under the same key: the vendor either
 * replays the first answer (the object that call made, with its once-visible secret) or, if the
 * first never arrived, creates it now. A `409` while the first is still in flight is waited out.
 * No object is ever looked up by name or time, adopted or deleted on a guess.
 *
 * For an object type whose vendor has no idempotency key (`keyed: false`) a create whose answer
 * was lost is never sent again: the call fails naming what may have been created, and the next
 * plan lists it as a warning — a person decides.
 */
import type { IClock } from '../../core/clock';
import {
  APIACCESS_ABORTED,
  APIACCESS_BAD_RESPONSE,
  APIACCESS_CONFLICT,
  APIACCESS_CREATE_UNCONFIRMED,
  APIACCESS_HTTP_ERROR,
  APIACCESS_NETWORK_ERROR,
  APIACCESS_RATE_LIMITED,
  APIACCESS_TIMEOUT,
  ApiAccessError,
} from '../../core/errors';
import type { Logger } from '../../core/log';
import type { CreateJournal } from './create-journal';

/** What a create is, for the journal and for messages. */
export interface CreateIdentity {
  readonly vendor: string;
  readonly type: string;
  /** Hash of the type and planned configuration. */
  readonly fingerprint: string;
}

/** Options of one create. */
export interface CreateOnceOptions {
  /** A person's name for the object in messages, e.g. `name "worker"`. */
  readonly what: string;
  /** False when the vendor has no idempotency key for this type. @default true */
  readonly keyed?: boolean;
}

/** Sends attempts after the first (on top of the HTTP layer's own retries). */
const MAX_RESENDS = 4;
const RESEND_BASE_MS = 500;
const RESEND_CAP_MS = 8_000;

/** How a failed attempt ended. */
type Outcome = 'refused' | 'lost' | 'in-flight' | 'not-sent' | 'aborted';

function outcome(err: unknown): Outcome {
  if (!ApiAccessError.isApiAccessError(err)) return 'lost';
  switch (err.code) {
    case APIACCESS_ABORTED:
      return 'aborted';
    case APIACCESS_NETWORK_ERROR:
    case APIACCESS_TIMEOUT:
    case APIACCESS_BAD_RESPONSE:
      return 'lost';
    case APIACCESS_RATE_LIMITED:
      return 'not-sent';
    case APIACCESS_CONFLICT:
      // The idempotency layer's "the first request with this key is still running" carries Retry-After.
      return err.retryAfterSeconds !== undefined ? 'in-flight' : 'refused';
    case APIACCESS_HTTP_ERROR:
      return (err.status ?? 0) >= 500 ? 'lost' : 'refused';
    default:
      return 'refused';
  }
}

/** Runs one create under the journal's key. `send` must send the key as `Idempotency-Key`. */
export async function createOnce<T>(
  journal: CreateJournal,
  identity: CreateIdentity,
  options: CreateOnceOptions,
  send: (idempotencyKey: string) => Promise<T>,
  idOf: (created: T) => string,
  env: { readonly clock: IClock; readonly logger: Logger; readonly signal: AbortSignal },
): Promise<{ created: T; key: string; adopted: boolean }> {
  const keyed = options.keyed ?? true;
  const { entry, adopted } = journal.begin({ ...identity, what: options.what, keyed });
  if (adopted) {
    env.logger.info(`${identity.type}: sending again the create of ${entry.what} that an interrupted run started`, {
      type: identity.type,
      started_at: new Date(entry.at).toISOString(),
    });
  }
  for (let resends = 0; ; resends++) {
    try {
      const created = await send(entry.key);
      journal.answered(entry.key, idOf(created));
      return { created, key: entry.key, adopted };
    } catch (err) {
      const how = outcome(err);
      if (how === 'refused') {
        journal.failed(entry.key);
        throw err;
      }
      if (how === 'aborted') throw unconfirmed(identity, options.what, entry.at, err, 'the run was stopped while the create was on its way');
      if (!keyed && how !== 'not-sent') {
        throw unconfirmed(identity, options.what, entry.at, err, 'the vendor gives no way to recognise it, so it is not sent again');
      }
      if (resends >= MAX_RESENDS) throw unconfirmed(identity, options.what, entry.at, err, 'the next apply sends it again under the same key and so adopts it');
      const retryAfterMs = ApiAccessError.isApiAccessError(err) && err.retryAfterSeconds !== undefined ? err.retryAfterSeconds * 1000 : undefined;
      const backoff = Math.min(RESEND_CAP_MS, RESEND_BASE_MS * 2 ** resends);
      env.logger.debug(`${identity.type}: create of ${options.what} got no usable answer (${how}); sending it again under the same key`);
      await env.clock.sleep(retryAfterMs ?? backoff, env.signal);
    }
  }
}

function unconfirmed(identity: CreateIdentity, what: string, at: number, cause: unknown, next: string): ApiAccessError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ApiAccessError(
    APIACCESS_CREATE_UNCONFIRMED,
    `The create of ${identity.type} ${what} (sent ${new Date(at).toISOString()}) may have happened at ${identity.vendor}, but no answer confirmed it: ${reason.replace(/[.]$/, '')}. ` +
      `It is recorded in the provider's create journal; ${next}. Until then terraform plan lists it as a warning.`,
    { cause },
  );
}
