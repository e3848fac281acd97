/**
 * Signal Sciences / Fastly Next-Gen WAF sandbox: the real `/api/v0/...` paths below `/sigsci`,
 * header authentication with personal API access tokens, and the corp-wide token settings
 * (`apiTokenMaxAge`, `restrictedAccessTokens`, `apiAllowedIPs`) enforced live on every request.
 */
import { IdempotencyStore } from '../../../sandbox/idempotency';
import type { EmulatorFactory, VendorEmulator } from '../../../sandbox/types';
import { clone, sentence } from '../../../sandbox/util';
import { buildRoutes } from './routes';
import { parseState, seedState, type SigSciState } from './state';
import { fail } from './views';

export {
  MAX_TOKENS_PER_USER,
  SEED_CORP,
  SEED_OWNER_EMAIL,
  SEED_OWNER_TOKEN,
  SEED_OWNER_TOKEN_ID,
  SEED_OWNER_TOKEN_NAME,
  SEED_USER_EMAIL,
  digest as sigsciTokenDigest,
  type SigSciState,
} from './state';

/** The `sigsci` emulator, with its idempotency store (tests hold and inspect it). */
export interface SigSciEmulator extends VendorEmulator {
  readonly idempotency: IdempotencyStore;
}

/** Builds the `sigsci` emulator (prefix `/sigsci`). */
export const createSigSciEmulator: EmulatorFactory = (ctx): SigSciEmulator => {
  let state: SigSciState = seedState(ctx.clock.now());
  // The core's own errors and the idempotency store answer in the API's `{"message": ...}` shape.
  const errorBody = (status: number, message: string) => fail(status, sentence(message));
  const idempotency = new IdempotencyStore({ now: () => ctx.clock.now(), errorBody });
  return {
    name: 'sigsci',
    prefix: '/sigsci',
    router: buildRoutes(() => state, ctx.clock, idempotency),
    errorBody,
    idempotency,
    idempotencyKeys: () => idempotency.list(),
    snapshot: () => clone(state),
    restore: (doc: unknown) => {
      state = parseState(doc);
    },
    reset: () => {
      state = seedState(ctx.clock.now());
      idempotency.clear();
    },
  };
};
