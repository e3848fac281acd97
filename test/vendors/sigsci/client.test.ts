import { Agent, type Dispatcher } from 'undici';
import type { HttpResponse } from '../../../src/auth/http';
import type { ManualClock } from '../../../src/core/clock';
import {
  APIACCESS_BAD_RESPONSE,
  APIACCESS_FORBIDDEN,
  APIACCESS_INVALID_ARGUMENT,
  APIACCESS_NETWORK_ERROR,
  APIACCESS_NOT_FOUND,
  APIACCESS_RATE_LIMITED,
  APIACCESS_UNAUTHORIZED,
  APIACCESS_VENDOR_REJECTED,
  ApiAccessError,
} from '../../../src/core/errors';
import { createLogger } from '../../../src/core/log';
import { redact } from '../../../src/core/redact';
import type { Sandbox } from '../../../src/sandbox/server';
import { SigSciClient, type SigSciClientConfig } from '../../../src/vendors/sigsci/client';
import { processCorp, processCreatedToken, processTokenList } from '../../../src/vendors/sigsci/responses';
import { SEED_CORP, SEED_OWNER_TOKEN_ID, SEED_OWNER_TOKEN_NAME } from '../../../src/vendors/sigsci/emulator';
import { DAY_MS, giveUserToken, OWNER, setCallerIp, startSandbox, USER } from './_sandbox';
import { expectNoSecret, rejection } from '../../support/helpers';

let sandbox: Sandbox;
let clock: ManualClock;
let agent: Agent;

beforeEach(async () => {
  ({ sandbox, clock } = await startSandbox());
  agent = new Agent();
});
afterEach(async () => {
  await agent.close();
  await sandbox.close();
});

function client(as: { user: string; token: string } = OWNER, extra: Partial<SigSciClientConfig> = {}): SigSciClient {
  return new SigSciClient({
    baseUrl: `${sandbox.baseUrl}/sigsci`,
    email: as.user,
    accessToken: as.token,
    corpName: SEED_CORP,
    dispatcher: agent,
    retry: { random: () => 0 },
    ...extra,
  });
}

function calls(): string[] {
  return sandbox.calls('sigsci').map((c) => `${c.method} ${c.path} ${c.status}`);
}

describe('SigSciClient: personal API access tokens', () => {
  it('creates a token (value once), reads, finds, lists and deletes it', async () => {
    const c = client();
    const created = await c.createToken('ci deploy');
    expect(created).toMatchObject({ name: 'ci deploy', createdBy: OWNER.user, status: 'active', expires: '' });
    expect(created.token).toMatch(/^[0-9a-f-]{36}$/);
    expect(redact(`value ${created.token}`)).toBe('value [REDACTED]');

    expect(await c.getToken(created.id)).toEqual(expect.not.objectContaining({ token: expect.anything() }));
    expect((await c.findTokenByName('ci deploy'))?.id).toBe(created.id);
    expect((await c.listTokens()).map((t) => t.name)).toEqual([SEED_OWNER_TOKEN_NAME, 'ci deploy']);

    // The new value authenticates on its own.
    expect((await client({ user: OWNER.user, token: created.token }).listCorps()).map((x) => x.name)).toEqual([SEED_CORP]);

    await c.deleteToken(created.id);
    expect(await c.findTokenByName('ci deploy')).toBeUndefined();
    expect(calls()).toEqual([
      'POST /api/v0/user/apitokens 200',
      `GET /api/v0/user/apitokens/${created.id} 200`,
      'GET /api/v0/user/apitokens 200',
      'GET /api/v0/user/apitokens 200',
      'GET /api/v0/corps 200',
      `DELETE /api/v0/user/apitokens/${created.id} 204`,
      'GET /api/v0/user/apitokens 200',
    ]);
  });

  it('refuses a name the vendor documents as rejected before sending anything (INVALID_ARGUMENT)', async () => {
    for (const name of ['ci-deploy', 'me@ci', 'go!', '50%', '', ' padded ']) {
      expect((await rejection(() => client().createToken(name))).code).toBe(APIACCESS_INVALID_ARGUMENT);
    }
    expect(calls()).toEqual([]);
  });

  it('passes on the vendor 400 for other names it rejects (VENDOR_REJECTED)', async () => {
    const err = await rejection(() => client().createToken('ci.deploy'));
    expect(err.code).toBe(APIACCESS_VENDOR_REJECTED);
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/sigsci answered HTTP 400: Invalid token name/);
    expect(calls()).toEqual(['POST /api/v0/user/apitokens 400']);
  });

  it("issue 6: a name already taken is the vendor's refusal (no look-up by name first)", async () => {
    const err = await rejection(() => client().createToken(SEED_OWNER_TOKEN_NAME));
    expect(err.code).toBe(APIACCESS_VENDOR_REJECTED);
    expect(calls()).toEqual(['POST /api/v0/user/apitokens 400']);
  });

  it('maps the 6th token to APIACCESS_VENDOR_REJECTED', async () => {
    const c = client();
    for (let i = 1; i < 5; i++) await c.createToken(`t${i}`);
    const err = await rejection(() => c.createToken('t5'));
    expect(err.code).toBe(APIACCESS_VENDOR_REJECTED);
    expect(err.message).toMatch(/Maximum number of API access tokens/);
  });

  it('maps unknown ids to APIACCESS_NOT_FOUND', async () => {
    expect((await rejection(() => client().getToken('ffffffffffffffffffffffff'))).code).toBe(APIACCESS_NOT_FOUND);
    expect((await rejection(() => client().deleteToken('ffffffffffffffffffffffff'))).code).toBe(APIACCESS_NOT_FOUND);
  });
});

describe('SigSciClient: retry-safe create', () => {
  /**
   * A base dispatcher for the creates: the first `drop` POSTs reach the server (so the token is
   * created) but their answers are lost as a socket reset would lose them; `before` runs ahead of
   * the first POST (to inject a sandbox fault).
   */
  function faultyAgent(drop: number, before: () => Promise<void> = async () => undefined): Dispatcher {
    let posts = 0;
    return agent.compose((dispatch) => (opts, handler) => {
      if (opts.method !== 'POST') return dispatch(opts, handler);
      posts += 1;
      const n = posts;
      void (n === 1 ? before() : Promise.resolve()).then(() => {
        if (n > drop) return dispatch(opts, handler);
        let controller: Dispatcher.DispatchController | undefined;
        return dispatch(opts, {
          onRequestStart: (ctrl, ctx) => {
            controller = ctrl;
            handler.onRequestStart?.(ctrl, ctx);
          },
          onResponseStart: () => undefined,
          onResponseData: () => undefined,
          onResponseEnd: () => handler.onResponseError?.(controller!, Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
          onResponseError: (ctrl, err) => handler.onResponseError?.(ctrl, err),
        });
      });
      return true;
    });
  }

  it('issue 6: the answer of a create is lost → the repeat under the same key replays it: one token, usable value, nothing deleted', async () => {
    const c = client(OWNER, { dispatcher: faultyAgent(1) });
    const created = await c.createToken('ci', undefined, 'sigsci-key-1');
    const mine = await client().listTokens();
    expect(mine.filter((t) => t.name === 'ci')).toEqual([expect.objectContaining({ id: created.id })]);
    expect(mine).toHaveLength(2);
    expect((await client({ user: OWNER.user, token: created.token }).getCorp()).name).toBe(SEED_CORP);
    expect(calls().slice(0, 2)).toEqual(['POST /api/v0/user/apitokens 200', 'POST /api/v0/user/apitokens 200']);
    expect(calls().filter((x) => x.startsWith('DELETE'))).toEqual([]);
  });

  it('issue 6: a sandbox socket reset on the create → sent again under the same key (nothing was created), one token', async () => {
    const injectReset = async (): Promise<void> => {
      const res = await fetch(`${sandbox.baseUrl}/__sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ vendor: 'sigsci', status: 'reset', count: 1 }),
      });
      expect(res.status).toBe(201);
    };
    const created = await client(OWNER, { dispatcher: faultyAgent(0, injectReset) }).createToken('ci', undefined, 'sigsci-key-2');
    expect((await client().listTokens()).filter((t) => t.name === 'ci').map((t) => t.id)).toEqual([created.id]);
    expect(calls().slice(0, 2)).toEqual(['POST /api/v0/user/apitokens 0', 'POST /api/v0/user/apitokens 200']);
  });

  it('issue 6: gives up after the retries with APIACCESS_NETWORK_ERROR and deletes nothing (the key stays the way to find it)', async () => {
    const err = await rejection(() => client(OWNER, { dispatcher: faultyAgent(10) }).createToken('ci', undefined, 'sigsci-key-3'));
    expect(err.code).toBe(APIACCESS_NETWORK_ERROR);
    expect(calls().filter((c) => c.startsWith('POST'))).toHaveLength(4);
    expect(calls().filter((c) => c.startsWith('DELETE'))).toEqual([]);
    // The one token the first attempt made is still there, and the same key finds it again.
    expect((await client().listTokens()).filter((t) => t.name === 'ci')).toHaveLength(1);
    const replay = await client(OWNER).createToken('ci', undefined, 'sigsci-key-3');
    expect((await client().listTokens()).filter((t) => t.name === 'ci').map((t) => t.id)).toEqual([replay.id]);
  });

  it('without a key, a create whose answer was lost is not sent again', async () => {
    const err = await rejection(() => client(OWNER, { dispatcher: faultyAgent(1) }).createToken('ci'));
    expect(err.code).toBe(APIACCESS_NETWORK_ERROR);
    expect(calls().filter((c) => c.startsWith('POST'))).toHaveLength(1);
  });
});

describe('SigSciClient: corp token settings and grants', () => {
  it('reads and updates apiTokenMaxAge, restrictedAccessTokens and apiAllowedIPs', async () => {
    const c = client();
    expect(await c.getTokenSettings()).toEqual({ apiTokenMaxAge: 0, restrictedAccessTokens: false, apiAllowedIPs: [] });
    await c.setAccessTokenAllowed(OWNER.user, true);
    const updated = await c.updateTokenSettings({ apiTokenMaxAge: 30 * 86400, restrictedAccessTokens: true, apiAllowedIPs: ['127.0.0.1', '10.0.0.0/8'] });
    expect(updated).toEqual({ apiTokenMaxAge: 2592000, restrictedAccessTokens: true, apiAllowedIPs: ['127.0.0.1', '10.0.0.0/8'] });
    expect(await c.getTokenSettings()).toEqual(updated);
    expect(calls()).toContain(`PATCH /api/v0/corps/${SEED_CORP} 200`);
  });

  it('reads and sets accessTokenAllowed per user', async () => {
    const c = client();
    expect(await c.getAccessTokenAllowed(USER.user)).toBe(false);
    expect(await c.setAccessTokenAllowed(USER.user, true)).toMatchObject({ email: USER.user, role: 'user', accessTokenAllowed: true });
    expect(await c.getAccessTokenAllowed(USER.user)).toBe(true);
    expect((await c.listUsers()).map((u) => [u.email, u.accessTokenAllowed])).toEqual([
      [OWNER.user, false],
      [USER.user, true],
    ]);
  });

  it('lists and deletes any token of the corp as owner', async () => {
    giveUserToken(sandbox, clock.now());
    const c = client();
    expect((await c.listCorpTokens()).map((t) => t.createdBy)).toEqual([OWNER.user, USER.user]);
    await c.deleteCorpToken('0000000000000000000000aa');
    expect((await rejection(() => client(USER).listTokens())).code).toBe(APIACCESS_UNAUTHORIZED);
  });

  it('maps owner-only calls by a non-owner to APIACCESS_FORBIDDEN', async () => {
    giveUserToken(sandbox, clock.now());
    const c = client(USER);
    for (const fn of [
      () => c.updateTokenSettings({ apiTokenMaxAge: 3600 }),
      () => c.setAccessTokenAllowed(USER.user, true),
      () => c.listCorpTokens(),
      () => c.deleteCorpToken(SEED_OWNER_TOKEN_ID),
    ]) {
      const err = await rejection(fn);
      expect(err.code).toBe(APIACCESS_FORBIDDEN);
      expect(err.status).toBe(403);
    }
  });

  it('validates settings before sending (INVALID_ARGUMENT) and passes vendor rejections on (VENDOR_REJECTED)', async () => {
    const c = client();
    for (const bad of [{ apiTokenMaxAge: -1 }, { apiTokenMaxAge: 1.5 }, { apiAllowedIPs: ['example.com'] }, { displayName: 'x' } as never]) {
      expect((await rejection(() => c.updateTokenSettings(bad))).code).toBe(APIACCESS_INVALID_ARGUMENT);
    }
    expect(calls()).toEqual([]);
    const err = await rejection(() => c.updateTokenSettings({ apiAllowedIPs: ['10.0.0.0/33'] }));
    expect(err.code).toBe(APIACCESS_VENDOR_REJECTED);
  });

  it('maps an unknown user to APIACCESS_NOT_FOUND', async () => {
    expect((await rejection(() => client().getUser('ghost@example.com'))).code).toBe(APIACCESS_NOT_FOUND);
  });
});

describe('SigSciClient: authentication failures', () => {
  it('maps a wrong token to APIACCESS_UNAUTHORIZED without leaking it', async () => {
    const wrong = 'deadbeef-0000-4000-8000-wrongwrongwr';
    const err = await rejection(() => client({ user: OWNER.user, token: wrong }).listTokens());
    expect(err.code).toBe(APIACCESS_UNAUTHORIZED);
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/expired .*apiTokenMaxAge.*disabled .*restrictedAccessTokens/);
    expectNoSecret(err, wrong, OWNER.token);
  });

  it('maps an expired token (apiTokenMaxAge passed since its creation) to APIACCESS_UNAUTHORIZED', async () => {
    await client().updateTokenSettings({ apiTokenMaxAge: 86400 });
    clock.advance(DAY_MS);
    const err = await rejection(() => client().getCorp());
    expect(err.code).toBe(APIACCESS_UNAUTHORIZED);
    expectNoSecret(err, OWNER.token);
  });

  it('maps a token disabled by restriction to APIACCESS_UNAUTHORIZED', async () => {
    giveUserToken(sandbox, clock.now());
    const owner = client();
    await owner.setAccessTokenAllowed(OWNER.user, true);
    await owner.updateTokenSettings({ restrictedAccessTokens: true });
    expect((await rejection(() => client(USER).createToken('mine'))).code).toBe(APIACCESS_UNAUTHORIZED);
    expect((await owner.listCorpTokens()).find((t) => t.createdBy === USER.user)?.status).toBe('disabled');
  });

  it('maps a call from outside apiAllowedIPs to APIACCESS_FORBIDDEN with field apiAllowedIPs', async () => {
    await client().updateTokenSettings({ apiAllowedIPs: ['192.0.2.0/24'] });
    await setCallerIp(sandbox, '198.51.100.4');
    const err = await rejection(() => client().listTokens());
    expect(err.code).toBe(APIACCESS_FORBIDDEN);
    expect(err.status).toBe(400);
    expect(err.field).toBe('apiAllowedIPs');
    expectNoSecret(err, OWNER.token);
  });

  it('writes no token into the debug log', async () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => void lines.push(line), level: 'trace' });
    await rejection(() => client({ user: OWNER.user, token: 'feedface-0000-4000-8000-logged-token' }, { logger }).listTokens());
    const created = await client(OWNER, { logger }).createToken('logged');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const secret of ['feedface-0000-4000-8000-logged-token', OWNER.token, created.token]) expect(lines.join('')).not.toContain(secret);
  });

  it('refuses bad configuration at construction', () => {
    const base = { baseUrl: 'http://127.0.0.1:1/sigsci', email: OWNER.user, accessToken: OWNER.token, corpName: SEED_CORP, dispatcher: agent };
    for (const bad of [{ email: 'not-an-email' }, { accessToken: ' ' }, { corpName: 'a/b' }, { dispatcher: {} as never }]) {
      expect(() => new SigSciClient({ ...base, ...bad })).toThrow(expect.objectContaining({ code: APIACCESS_INVALID_ARGUMENT }));
    }
  });
});

describe('SigSciClient: rate limiting and retries', () => {
  it('retries a GET answered 429 and succeeds', async () => {
    await fetch(`${sandbox.baseUrl}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vendor: 'sigsci', status: 429, count: 2 }),
    });
    expect((await client().listTokens()).map((t) => t.id)).toEqual([SEED_OWNER_TOKEN_ID]);
    expect(calls()).toEqual(['GET /api/v0/user/apitokens 429', 'GET /api/v0/user/apitokens 429', 'GET /api/v0/user/apitokens 200']);
  });

  it('gives APIACCESS_RATE_LIMITED when 429 outlasts the retries', async () => {
    await fetch(`${sandbox.baseUrl}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vendor: 'sigsci', status: 429, count: 10 }),
    });
    const err = await rejection(() => client().getCorp());
    expect(err.code).toBe(APIACCESS_RATE_LIMITED);
    expect(calls()).toHaveLength(4);
  });

  it('waits for a given limiter before each call', async () => {
    const acquired: number[] = [];
    const limiter = { acquire: async (): Promise<void> => void acquired.push(acquired.length) };
    await client(OWNER, { limiter }).getCorp();
    expect(acquired).toEqual([0]);
  });
});

describe('process* (making sense of replies)', () => {
  function answer(status: number, body: unknown, contentType = 'application/json; charset=utf-8'): HttpResponse {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return { status, headers: { 'content-type': contentType }, text, json: <T>() => JSON.parse(text) as T };
  }

  it('rejects a success without a JSON content type, as go-sigsci does (BAD_RESPONSE)', () => {
    expect(() => processCorp(answer(200, '<html></html>', 'text/html'))).toThrow(expect.objectContaining({ code: APIACCESS_BAD_RESPONSE }));
  });

  it('rejects shapes that miss the fields the client relies on (BAD_RESPONSE)', () => {
    expect(() => processCorp(answer(200, { name: 'c', apiTokenMaxAge: '0', restrictedAccessTokens: false, apiAllowedIPs: [] }))).toThrow(
      expect.objectContaining({ code: APIACCESS_BAD_RESPONSE }),
    );
    expect(() => processTokenList(answer(200, { tokens: [] }))).toThrow(expect.objectContaining({ code: APIACCESS_BAD_RESPONSE }));
    expect(() => processTokenList(answer(200, { data: [{ id: 'x', name: 'n', status: 'weird' }] }))).toThrow(
      expect.objectContaining({ code: APIACCESS_BAD_RESPONSE }),
    );
    expect(() => processCreatedToken(answer(200, { id: 'x' }))).toThrow(expect.objectContaining({ code: APIACCESS_BAD_RESPONSE }));
  });

  it('keeps the vendor message and request id in errors', () => {
    const res = { ...answer(404, { message: 'Corp not found' }), headers: { 'content-type': 'application/json', 'x-request-id': 'abc123abc123abc123abc123' } };
    const err = (() => {
      try {
        processCorp(res);
      } catch (e) {
        return e as ApiAccessError;
      }
      throw new Error('expected a throw');
    })();
    expect(err.code).toBe(APIACCESS_NOT_FOUND);
    expect(err.message).toContain('Corp not found');
    expect(err.message).toContain('abc123abc123abc123abc123');
  });
});
