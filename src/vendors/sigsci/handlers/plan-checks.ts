/**
 * What one provider process learns while Terraform plans (or applies) several objects: the token
 * names being created and the tokens being replaced, so the 5-per-user limit is checked for the
 * whole configuration before anything is created, and the grants a configuration makes, so the
 * token settings can tell a restriction that would lock the provider out.
 */
import type { SigSciClient } from '../client';

/** Per client (one provider configuration in one process). */
interface Pending {
  /** Token names planned for creation (keys `#n` for names not known yet). */
  readonly creating: Set<string>;
  /** IDs of tokens planned for replacement (their slot is freed before the new one is made). */
  readonly leaving: Set<string>;
  /** E-mail (lower case) → the accessTokenAllowed planned for it. */
  readonly grants: Map<string, boolean>;
  unnamed: number;
}

const pending = new WeakMap<SigSciClient, Pending>();

/** The plan registry of `client`. */
export function pendingOf(client: SigSciClient): Pending {
  let p = pending.get(client);
  if (!p) {
    p = { creating: new Set(), leaving: new Set(), grants: new Map(), unnamed: 0 };
    pending.set(client, p);
  }
  return p;
}
