/**
 * Carbon Black Cloud (CB Defense / PSC) emulator, served under `/carbonblack`, strict about the
 * documented rules: `X-Auth-Token: <API Secret Key>/<API ID>` on every call (401 otherwise), the
 * key-type route matrix (401, not 403), the per-key IP allow-list (401, PROPOSED), 25 calls per
 * 5 minutes per key on a sliding window of the sandbox clock (429), the `success` flag in every
 * body, and 400 for malformed input. API key management follows the PROPOSED v6 shape of the
 * vendor facts and is open to CUSTOM keys whose access level holds `org.api_keys` (see auth.ts).
 */
import { Router, type RouteHandler } from '../../../sandbox/router';
import { checkedCopy, StatefulEmulator } from '../../../sandbox/stateful';
import type { EmulatorFactory, SandboxRequest, SandboxResponse } from '../../../sandbox/types';
import { sentence } from '../../../sandbox/util';
import { createKey, deleteKey, findKey, getKey, listKeys, regenerateKey, updateKey } from './api-keys';
import { admit, failure, type RouteClass } from './auth';
import { type ApiKeyRecord, assertState, type CarbonBlackState, MANAGE_KEYS_PERMISSION, seedState } from './state';
import { auditLogs, closeSession, getDevice, getPolicy, listDevices, listEvents, listPolicies, notifications, openSession, sessionStatus } from './v3';

export {
  AUDITOR_ACCESS_LEVEL_ID,
  KEY_ADMIN_ACCESS_LEVEL_ID,
  MANAGE_KEYS_PERMISSION,
  RATE_LIMIT,
  RATE_WINDOW_MS,
  SEED_API_KEY,
  SEED_KEY_ADMIN_KEY,
  SEED_LIVE_RESPONSE_KEY,
  SEED_ORG_KEY,
  SEED_SIEM_KEY,
  type SeedCredential,
} from './state';

const V3 = '/integrationServices/v3';
const KEYS = '/appservices/v6/orgs/:orgKey/api_keys';

const API: RouteClass = { kind: 'api' };
const SIEM: RouteClass = { kind: 'siem' };
const LIVE_RESPONSE: RouteClass = { kind: 'live_response' };
const MANAGE_KEYS: RouteClass = { kind: 'platform', permission: MANAGE_KEYS_PERMISSION };

type Handler = (req: SandboxRequest, caller: ApiKeyRecord, now: number) => SandboxResponse | Promise<SandboxResponse>;

/** The Carbon Black emulator with its routes and state. */
export class CarbonBlackEmulator extends StatefulEmulator<CarbonBlackState> {
  readonly name = 'carbonblack';
  readonly prefix = '/carbonblack';
  readonly router = new Router();

  constructor(now: () => number) {
    super({ now, seed: seedState, parse: checkedCopy(assertState) });
    const r = this.router;
    r.get(
      `${V3}/device`,
      this.guard(API, (req) => listDevices(this.state, req)),
    );
    r.get(
      `${V3}/device/:deviceId`,
      this.guard(API, (req) => getDevice(this.state, req)),
    );
    r.get(
      `${V3}/policy`,
      this.guard(API, (req) => listPolicies(this.state, req)),
    );
    r.get(
      `${V3}/policy/:policyId`,
      this.guard(API, (req) => getPolicy(this.state, req)),
    );
    r.get(
      `${V3}/event`,
      this.guard(API, (req, _c, now) => listEvents(this.state, req, now)),
    );
    r.get(
      `${V3}/auditlogs`,
      this.guard(API, (req, caller) => auditLogs(this.state, req, caller)),
    );
    r.get(
      `${V3}/notification`,
      this.guard(SIEM, (req, caller) => notifications(this.state, req, caller)),
    );
    r.post(
      `${V3}/cblr/session/:deviceId`,
      this.guard(LIVE_RESPONSE, (req, caller, now) => openSession(this.state, req, caller, now)),
    );
    r.get(
      `${V3}/cblr/session/:sessionId`,
      this.guard(LIVE_RESPONSE, (req, _c, now) => sessionStatus(this.state, req, now)),
    );
    r.put(
      `${V3}/cblr/session`,
      this.guard(LIVE_RESPONSE, (req, _c, now) => closeSession(this.state, req, now)),
    );

    r.get(
      KEYS,
      this.guard(MANAGE_KEYS, () => listKeys(this.state)),
    );
    r.post(
      KEYS,
      this.guard(MANAGE_KEYS, (req, caller, now) => this.idempotency.run(req, req.params.orgKey!, () => createKey(this.state, req, caller, now))),
    );
    r.get(
      `${KEYS}/:apiId`,
      this.guard(MANAGE_KEYS, (req) => this.withKey(req, (key) => getKey(key))),
    );
    r.put(
      `${KEYS}/:apiId`,
      this.guard(MANAGE_KEYS, (req, caller, now) => this.withKey(req, (key) => updateKey(this.state, req, caller, key, now))),
    );
    r.delete(
      `${KEYS}/:apiId`,
      this.guard(MANAGE_KEYS, (req, caller, now) => this.withKey(req, (key) => deleteKey(this.state, req, caller, key, now))),
    );
    r.post(
      `${KEYS}/:apiId/_regenerate`,
      this.guard(MANAGE_KEYS, (req, caller, now) =>
        this.idempotency.run(req, req.params.orgKey!, () => this.withKey(req, (key) => regenerateKey(this.state, req, caller, key, now))),
      ),
    );
  }

  /** The v6 envelope `{"success": false, "message": ...}` for the sandbox core's own answers. */
  errorBody(status: number, message: string): SandboxResponse {
    return failure(status, sentence(message));
  }

  /** Tests: the stored key (secret as a hash only), or undefined. */
  apiKey(apiId: string): Readonly<ApiKeyRecord> | undefined {
    return this.state.apiKeys.find((k) => k.api_id === apiId);
  }

  /** Switches 429 enforcement (the vendor can turn it off; on by default). Calls are counted either way. */
  setRateLimitEnforced(enforced: boolean): void {
    this.state.rateLimitEnforced = enforced;
  }

  /** Wraps a route: auth, IP allow-list, key type, org key (platform routes), rate limit, then `fn`. */
  private guard(cls: RouteClass, fn: Handler): RouteHandler {
    return (req) => {
      const now = this.now();
      const admitted = admit(this.state, req, cls, now, cls.kind === 'platform' ? req.params.orgKey : undefined);
      if (!admitted.ok) return admitted.response;
      return fn(req, admitted.value, now);
    };
  }

  private withKey(req: SandboxRequest, fn: (key: ApiKeyRecord) => SandboxResponse): SandboxResponse {
    const key = findKey(this.state, req.params.apiId ?? '');
    return key.ok ? fn(key.value) : key.response;
  }
}

/** Factory for the sandbox. */
export const createCarbonBlackEmulator: EmulatorFactory = (ctx) => new CarbonBlackEmulator(() => ctx.clock.now());
