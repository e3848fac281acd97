/**
 * Signal Sciences / Fastly Next-Gen WAF sandbox: the real `/api/v0/...` paths below `/sigsci`,
 * header authentication with personal API access tokens, and the corp-wide token settings
 * (`apiTokenMaxAge`, `restrictedAccessTokens`, `apiAllowedIPs`) enforced live on every request.
 */
import type { Router } from '../../../sandbox/router';
import { StatefulEmulator } from '../../../sandbox/stateful';
import type { EmulatorFactory, SandboxContext, SandboxResponse } from '../../../sandbox/types';
import { sentence } from '../../../sandbox/util';
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

/** The `sigsci` emulator (prefix `/sigsci`); tests hold and inspect its idempotency store. */
export class SigSciEmulator extends StatefulEmulator<SigSciState> {
  readonly name = 'sigsci';
  readonly prefix = '/sigsci';
  readonly router: Router;

  constructor(ctx: SandboxContext) {
    super({ now: () => ctx.clock.now(), seed: seedState, parse: parseState });
    this.router = buildRoutes(() => this.state, ctx.clock, this.idempotency);
  }

  /** The core's own errors and the idempotency store answer in the API's `{"message": ...}` shape. */
  errorBody(status: number, message: string): SandboxResponse {
    return fail(status, sentence(message));
  }
}

/** Builds the `sigsci` emulator. */
export const createSigSciEmulator: EmulatorFactory = (ctx) => new SigSciEmulator(ctx);
