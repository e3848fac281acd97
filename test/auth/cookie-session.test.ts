import { Agent, type Dispatcher } from 'undici';

import { CookieSession, createCookieSessionInterceptor, parseSetCookie, processLoginResponse } from '../../src/auth/cookie-session';
import type { HttpResponse } from '../../src/auth/http';
import type { ManualClock } from '../../src/core/clock';
import {
  APIACCESS_BAD_RESPONSE,
  APIACCESS_HTTP_ERROR,
  APIACCESS_INVALID_ARGUMENT,
  APIACCESS_LOGIN_DELAYED,
  APIACCESS_VENDOR_REJECTED,
} from '../../src/core/errors';
import { clearRegisteredSecrets, redact } from '../../src/core/redact';
import type { Sandbox } from '../../src/sandbox/server';
import { SILOBREAKER_SESSION_PATHS } from '../../src/vendors/silobreaker/auth-params';
import type { SilobreakerState } from '../../src/vendors/silobreaker/emulator';
import { SEED_USER, startSandbox, until } from '../vendors/silobreaker/_helpers';
import { rejection } from '../support/helpers';

/** A canned answer for the process* functions. */
function answer(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { status, headers, text, json: <T>() => JSON.parse(text) as T };
}

describe('processLoginResponse / parseSetCookie', () => {
  it('reads Success with the cookie named by CookieName', () => {
    const out = processLoginResponse(
      answer(200, { CookieName: '.ASPXAUTH', Status: 'Success' }, { 'set-cookie': 'other=1; path=/, .ASPXAUTH=ABC123DEF; path=/; HttpOnly' }),
      'silobreaker',
    );
    expect(out).toEqual({ kind: 'success', cookieName: '.ASPXAUTH', cookieValue: 'ABC123DEF' });
    expect(redact('cookie ABC123DEF')).toBe('cookie [REDACTED]');
  });

  it('reads Delay with its seconds', () => {
    expect(processLoginResponse(answer(200, { Status: 'Delay', NextLoginDelayInSeconds: 10 }), 'silobreaker')).toEqual({ kind: 'delay', seconds: 10 });
  });

  it.each([
    ['Success without a Set-Cookie', answer(200, { CookieName: '.ASPXAUTH', Status: 'Success' }), APIACCESS_BAD_RESPONSE],
    ['Success without a CookieName', answer(200, { Status: 'Success' }, { 'set-cookie': 'a=b' }), APIACCESS_BAD_RESPONSE],
    ['Delay without seconds', answer(200, { Status: 'Delay' }), APIACCESS_BAD_RESPONSE],
    ['an unknown Status', answer(200, { Status: 'Maybe' }), APIACCESS_BAD_RESPONSE],
    ['a body that is not JSON', answer(200, '<html>'), APIACCESS_BAD_RESPONSE],
    ['HTTP 400', answer(400, { Status: 'Invalid request' }), APIACCESS_VENDOR_REJECTED],
    ['HTTP 500', answer(500, 'oops'), APIACCESS_HTTP_ERROR],
  ])('turns %s into a coded error', (_what, res, code) => {
    expect(() => processLoginResponse(res, 'silobreaker')).toThrow(expect.objectContaining({ code }));
  });

  it('splits joined Set-Cookie values without breaking on the comma of an Expires date, and sees removals', () => {
    const now = Date.UTC(2026, 0, 1);
    const parsed = parseSetCookie('.ASPXAUTH=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/, b=2; Max-Age=0, c=3; expires=Fri, 01 Jan 2027 00:00:00 GMT', now);
    expect(parsed).toEqual([
      { name: '.ASPXAUTH', value: '', expired: true },
      { name: 'b', value: '2', expired: true },
      { name: 'c', value: '3', expired: false },
    ]);
  });
});

describe('parseSetCookie on undici', () => {
  it('reads an array of values, keeps a cookie whose Expires cannot be parsed, and drops nameless ones', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseSetCookie(['.ASPXAUTH=ABC; path=/; HttpOnly', 'b=2; Expires=someday', '=nameless'], now)).toEqual([
      { name: '.ASPXAUTH', value: 'ABC', expired: false },
      { name: 'b', value: '2', expired: false },
    ]);
  });
});

describe('CookieSession against the sandbox', () => {
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
    clearRegisteredSecrets();
  });

  const session = (over: Partial<ConstructorParameters<typeof CookieSession>[0]> = {}): CookieSession =>
    new CookieSession({
      baseUrl: `${sandbox.baseUrl}/silobreaker`,
      dispatcher: agent,
      username: SEED_USER.username,
      password: SEED_USER.password,
      clock,
      vendor: 'silobreaker',
      paths: SILOBREAKER_SESSION_PATHS,
      ...over,
    });

  const logins = (): number => sandbox.calls('silobreaker').filter((c) => c.path === '/v1/login').length;

  async function get(dispatcher: Dispatcher, path: string): Promise<{ status: number; body: unknown }> {
    const res = await dispatcher.request({ origin: sandbox.baseUrl, path: `/silobreaker${path}`, method: 'GET' });
    return { status: res.statusCode, body: JSON.parse(await res.body.text()) };
  }

  it('logs in lazily once for concurrent requests and sends the cookie on each', async () => {
    const s = session();
    const dispatcher = agent.compose(createCookieSessionInterceptor(s));
    const results = await Promise.all([get(dispatcher, '/v1/apikeys'), get(dispatcher, '/v1/apikeys'), get(dispatcher, '/v1/loginstatus')]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results[2]!.body).toEqual({ Status: 'authenticated' });
    expect(logins()).toBe(1);
    expect(s.active).toBe(true);
    // The cookie value is a registered secret.
    const cookie = (sandbox.emulator('silobreaker').snapshot() as SilobreakerState).sessions[0]!.Cookie;
    expect(redact(`sent ${cookie}`)).toBe('sent [REDACTED]');
  });

  it("keeps the caller's own cookies and adds the session cookie after them", async () => {
    const s = session();
    await s.login();
    const seen: string[] = [];
    const spy =
      (dispatch: Dispatcher['dispatch']): Dispatcher['dispatch'] =>
      (opts, handler) => {
        seen.push(String((opts.headers as Record<string, string>).cookie));
        return dispatch(opts, handler);
      };
    const dispatcher = agent.compose(spy, createCookieSessionInterceptor(s));
    await get(
      dispatcher.compose((d) => (o, h) => d({ ...o, headers: { cookie: 'theme=dark' } }, h)),
      '/v1/loginstatus',
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^theme=dark; \.ASPXAUTH=[0-9A-F]{64}$/);
  });

  it('waits out the first Delay on the clock, tries once more, then fails with APIACCESS_LOGIN_DELAYED', async () => {
    const s = session({ password: 'wrong-password-1' });
    const pending = rejection(s.login());
    await until(() => logins() === 1 && clock.pending === 1, 'the first login and the wait');
    // Never a second attempt before the delay has passed.
    clock.advance(9_999);
    await new Promise((r) => setTimeout(r, 20));
    expect(logins()).toBe(1);
    clock.advance(1);
    const err = await pending;
    expect(err.code).toBe(APIACCESS_LOGIN_DELAYED);
    expect(err.retryAfterSeconds).toBe(20);
    expect(logins()).toBe(2);
    expect(err.message).not.toContain('wrong-password-1');
    expect(JSON.stringify(err)).not.toContain('wrong-password-1');
  });

  it('does not call the server again while a delay longer than it may wait is running', async () => {
    const s = session({ password: 'wrong-password-2', maxLoginAttempts: 1 });
    expect((await rejection(s.login())).retryAfterSeconds).toBe(10);
    const s2 = session({ password: 'wrong-password-2', maxLoginAttempts: 1, maxLoginWaitSeconds: 5 });
    await rejection(s2.login()); // its own first attempt: too early for the server → Delay 20
    expect(logins()).toBe(2);
    const again = await rejection(s2.login());
    expect(again.code).toBe(APIACCESS_LOGIN_DELAYED);
    expect(again.retryAfterSeconds).toBe(20);
    expect(logins()).toBe(2);
  });

  it("after someone else's failure, waits out the new delay it is given and then logs in with the right password", async () => {
    // Someone failed a moment ago: the session's first attempt is too early and earns Delay 20.
    await agent
      .request({
        origin: sandbox.baseUrl,
        path: '/silobreaker/v1/login',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ Username: SEED_USER.username, Password: 'x-wrong-x' }),
      })
      .then((r) => r.body.text());
    const s = session();
    const done = s.login();
    await until(() => logins() === 2 && clock.pending === 1, 'the early attempt and the wait');
    expect(s.nextLoginAt).toBe(clock.now() + 20_000);
    clock.advance(20_000);
    await done;
    expect(s.active).toBe(true);
    expect(s.nextLoginAt).toBeUndefined();
    expect(logins()).toBe(3);
  });

  it('forgets a cookie the server answers 401 to, and logs in again on the next request', async () => {
    const s = session();
    const dispatcher = agent.compose(createCookieSessionInterceptor(s));
    expect((await get(dispatcher, '/v1/apikeys')).status).toBe(200);
    // The server ends the session (idle for longer than 30 minutes).
    clock.advance(31 * 60_000);
    expect((await get(dispatcher, '/v1/apikeys')).status).toBe(401);
    expect(s.active).toBe(false);
    expect((await get(dispatcher, '/v1/apikeys')).status).toBe(200);
    expect(logins()).toBe(2);
  });

  it('reports the status, logs out, and then finds no active session', async () => {
    const s = session();
    expect(await s.status()).toBe('unauthenticated');
    await s.login();
    expect(await s.status()).toBe('authenticated');
    expect(await s.logout()).toBe('Logged out');
    expect(s.active).toBe(false);
    expect(await s.logout()).toBe('No active session found');
    expect(logins()).toBe(1);
  });

  it('changes the password, and logs in with the new one afterwards', async () => {
    const s = session();
    await s.changePassword({ newPassword: 'N3w-Passw0rd!' });
    await s.logout();
    await s.login();
    expect(s.active).toBe(true);
    expect(logins()).toBe(2);
    expect(redact('N3w-Passw0rd!')).toBe('[REDACTED]');
  });

  it('reports a wrong current password as APIACCESS_VENDOR_REJECTED on field password', async () => {
    const err = await rejection(session().changePassword({ currentPassword: 'not-the-password', newPassword: 'N3w-Passw0rd!' }));
    expect(err.code).toBe(APIACCESS_VENDOR_REJECTED);
    expect(err.field).toBe('password');
    expect(err.message).not.toContain('not-the-password');
  });

  it('logs in again once when the session ended before a password change', async () => {
    const s = session();
    await s.login();
    clock.advance(31 * 60_000);
    await s.changePassword({ newPassword: 'N3w-Passw0rd!' });
    expect(logins()).toBe(2);
  });

  it('reports a refused new password (HTTP 400) as APIACCESS_VENDOR_REJECTED', async () => {
    expect((await rejection(session().changePassword({ newPassword: 'short' }))).code).toBe(APIACCESS_VENDOR_REJECTED);
  });

  it('validates its options', () => {
    expect(() => session({ username: '' })).toThrow(expect.objectContaining({ code: APIACCESS_INVALID_ARGUMENT }));
    expect(() => session({ maxLoginAttempts: 0 })).toThrow(expect.objectContaining({ code: APIACCESS_INVALID_ARGUMENT }));
    expect(() => createCookieSessionInterceptor({} as CookieSession)).toThrow(expect.objectContaining({ code: APIACCESS_INVALID_ARGUMENT }));
  });

  it('fails the request (never sends it) when the login is delayed', async () => {
    const s = session({ password: 'wrong-password-3', maxLoginAttempts: 1 });
    const dispatcher = agent.compose(createCookieSessionInterceptor(s));
    const err = await rejection(dispatcher.request({ origin: sandbox.baseUrl, path: '/silobreaker/v1/apikeys', method: 'GET' }));
    expect(err.code).toBe(APIACCESS_LOGIN_DELAYED);
    expect(sandbox.calls('silobreaker').map((c) => c.path)).toEqual(['/v1/login']);
  });
});
