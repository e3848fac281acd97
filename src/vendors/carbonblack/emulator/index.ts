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
import { createKey, deleteKey, findKey, getKey, listAccessLevels, listKeys, regenerateKey, updateKey } from './api-keys';
import { admit, failure, type RouteClass } from './auth';
import { type ApiKeyRecord, assertState, type CarbonBlackState, MANAGE_KEYS_PERMISSION, seedState } from './state';
import { auditLogs, closeSession, getDevice, getPolicy, listDevices, listEvents, listPolicies, notifications, openSession, sessionStatus } from './v3';

export {
  AUDITOR_ACCESS_LEVEL_ID,
  KEY_ADMIN_ACCESS_LEVEL_ID,
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

/** The most entries {@link CarbonBlackEmulator.callTimes} keeps. */
const MAX_CALL_LOG = 10_000;

/** The Carbon Black emulator with its routes and state. */
export class CarbonBlackEmulator extends StatefulEmulator<CarbonBlackState> {
  readonly name = 'carbonblack';
  readonly prefix = '/carbonblack';
  readonly router = new Router();
  /** Every call that passed checks 1-3, with its sandbox-clock time and whether it was refused with 429 (newest {@link MAX_CALL_LOG}). */
  private readonly callLog: { readonly apiId: string; readonly at: number; readonly status: number }[] = [];

  constructor(now: () => number) {
    super({ now, seed: seedState, parse: checkedCopy(assertState) });
    // The key-type route matrix: each route with the class of key it answers.
    const routes: readonly (readonly [method: string, path: string, cls: RouteClass, fn: Handler])[] = [
      ['GET', `${V3}/device`, API, (req) => listDevices(this.state, req)],
      ['GET', `${V3}/device/:deviceId`, API, (req) => getDevice(this.state, req)],
      ['GET', `${V3}/policy`, API, (req) => listPolicies(this.state, req)],
      ['GET', `${V3}/policy/:policyId`, API, (req) => getPolicy(this.state, req)],
      ['GET', `${V3}/event`, API, (req, _c, now) => listEvents(this.state, req, now)],
      ['GET', `${V3}/auditlogs`, API, (req, caller) => auditLogs(this.state, req, caller)],
      ['GET', `${V3}/notification`, SIEM, (req, caller) => notifications(this.state, req, caller)],
      ['POST', `${V3}/cblr/session/:deviceId`, LIVE_RESPONSE, (req, caller, now) => openSession(this.state, req, caller, now)],
      ['GET', `${V3}/cblr/session/:sessionId`, LIVE_RESPONSE, (req, _c, now) => sessionStatus(this.state, req, now)],
      ['PUT', `${V3}/cblr/session`, LIVE_RESPONSE, (req, _c, now) => closeSession(this.state, req, now)],
      ['GET', KEYS, MANAGE_KEYS, () => listKeys(this.state)],
      ['GET', '/appservices/v6/orgs/:orgKey/access_levels', MANAGE_KEYS, () => listAccessLevels(this.state)],
      ['POST', KEYS, MANAGE_KEYS, (req, caller, now) => this.idempotency.run(req, req.params.orgKey!, () => createKey(this.state, req, caller, now))],
      ['GET', `${KEYS}/:apiId`, MANAGE_KEYS, (req) => this.withKey(req, (key) => getKey(key))],
      ['PUT', `${KEYS}/:apiId`, MANAGE_KEYS, (req, caller, now) => this.withKey(req, (key) => updateKey(this.state, req, caller, key, now))],
      ['DELETE', `${KEYS}/:apiId`, MANAGE_KEYS, (req, caller, now) => this.withKey(req, (key) => deleteKey(this.state, req, caller, key, now))],
      [
        'POST',
        `${KEYS}/:apiId/_regenerate`,
        MANAGE_KEYS,
        (req, caller, now) => this.idempotency.run(req, req.params.orgKey!, () => this.withKey(req, (key) => regenerateKey(this.state, req, caller, key, now))),
      ],
    ];
    for (const [method, path, cls, fn] of routes) this.router.on(method, path, this.guard(cls, fn));
  }

  /** The v6 envelope `{"success": false, "message": ...}` for the sandbox core's own answers. */
  errorBody(status: number, message: string): SandboxResponse {
    return failure(status, sentence(message));
  }

  /** Tests: the stored key (secret as a hash only), or undefined. */
  apiKey(apiId: string): Readonly<ApiKeyRecord> | undefined {
    return this.state.apiKeys.find((k) => k.api_id === apiId);
  }

  /** Back to the seed; the call log is cleared too. */
  override reset(): void {
    super.reset();
    this.callLog.length = 0;
  }

  /**
   * Tests: the calls of `apiId` that passed checks 1-3, as the vendor saw them — when (sandbox clock,
   * on arrival) and `status` 429 when the rate limit refused them, else 0 — oldest first. `reset` clears it.
   */
  callTimes(apiId: string): { at: number; status: number }[] {
    return this.callLog.filter((c) => c.apiId === apiId).map(({ at, status }) => ({ at, status }));
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
      if (!admitted.ok) {
        if (admitted.response.status === 429) this.logCall(req, now, 429);
        return admitted.response;
      }
      this.logCall(req, now, 0);
      return fn(req, admitted.value, now);
    };
  }

  private logCall(req: SandboxRequest, at: number, status: number): void {
    const apiId = (req.headers['x-auth-token'] ?? '').split('/')[1] ?? '';
    this.callLog.push({ apiId, at, status });
    if (this.callLog.length > MAX_CALL_LOG) this.callLog.splice(0, this.callLog.length - MAX_CALL_LOG);
  }

  private withKey(req: SandboxRequest, fn: (key: ApiKeyRecord) => SandboxResponse): SandboxResponse {
    const key = findKey(this.state, req.params.apiId ?? '');
    return key.ok ? fn(key.value) : key.response;
  }
}

/** Factory for the sandbox. */
export const createCarbonBlackEmulator: EmulatorFactory = (ctx) => new CarbonBlackEmulator(() => ctx.clock.now());
