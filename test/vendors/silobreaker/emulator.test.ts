import { Agent } from 'undici';

import type { ManualClock } from '../../../src/core/clock';
import type { Sandbox } from '../../../src/sandbox/server';
import {
  COOKIE_NAME,
  MAX_DESCRIPTION_LENGTH,
  MAX_LOGIN_DELAY_SECONDS,
  RATE_LIMIT,
  SEED_API_KEY_DESCRIPTION,
  SESSION_IDLE_SECONDS,
  type SilobreakerEmulator,
  type SilobreakerState,
} from '../../../src/vendors/silobreaker/emulator';
import { call, digestOf, loginCookie, SEED_KEY, SEED_USER, startSandbox } from './_helpers';

const UNAUTHORIZED = { Status: 'Unauthorized' };

describe('silobreaker emulator', () => {
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

  const login = (username: string, password: string, path = '/v1/login') =>
    call(agent, sandbox, { method: 'POST', path, body: JSON.stringify({ Username: username, Password: password }) });

  describe('API-key digest', () => {
    it('accepts a GET signed over the URL as sent, with the seeded key', async () => {
      const res = await call(agent, sandbox, { path: '/search/documents/Sweden?type=json', sign: SEED_KEY });
      expect(res.status).toBe(200);
      const body = res.body as { Items: { Id: string }[]; TotalCount: number };
      expect(body.Items.map((d) => d.Id)).toEqual(['doc-0001', 'doc-0002']);
      expect(body.TotalCount).toBe(2);
    });

    it('accepts a POST whose digest covers the exact body bytes (the seed body with its trailing LF)', async () => {
      const body = '{"id": "example"}\n';
      const res = await call(agent, sandbox, { method: 'POST', path: '/search/documents/Sweden', body, sign: SEED_KEY });
      expect(res.status).toBe(200);
    });

    it('rejects a POST whose body differs from the signed bytes by one byte', async () => {
      const url = `${sandbox.baseUrl}/silobreaker/search/documents/Sweden`;
      const digest = digestOf(SEED_KEY.sharedKey, 'POST', url, '{"id": "example"}\n');
      const res = await call(agent, sandbox, {
        method: 'POST',
        path: `/search/documents/Sweden?apiKey=MyApiKey&digest=${encodeURIComponent(digest)}`,
        body: '{"id": "example"}',
      });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED);
    });

    it('keeps the query byte for byte: another order or another encoding of the same query fails', async () => {
      const url = `${sandbox.baseUrl}/silobreaker/documents?q=Sweden%20DDoS&type=json`;
      const digest = encodeURIComponent(digestOf(SEED_KEY.sharedKey, 'GET', url));
      const ok = await call(agent, sandbox, { path: `/documents?q=Sweden%20DDoS&type=json&apiKey=MyApiKey&digest=${digest}` });
      expect(ok.status).toBe(200);
      const reordered = await call(agent, sandbox, { path: `/documents?type=json&q=Sweden%20DDoS&apiKey=MyApiKey&digest=${digest}` });
      expect(reordered.status).toBe(401);
      const reencoded = await call(agent, sandbox, { path: `/documents?q=Sweden+DDoS&type=json&apiKey=MyApiKey&digest=${digest}` });
      expect(reencoded.status).toBe(401);
    });

    it('strips apiKey and digest wherever they stand and keeps the rest in order', async () => {
      const url = `${sandbox.baseUrl}/silobreaker/documents?q=ransomware&type=json`;
      const digest = encodeURIComponent(digestOf(SEED_KEY.sharedKey, 'GET', url));
      const res = await call(agent, sandbox, { path: `/documents?apiKey=MyApiKey&q=ransomware&digest=${digest}&type=json` });
      expect(res.status).toBe(200);
      expect((res.body as { TotalCount: number }).TotalCount).toBe(1);
    });

    it('signs over the host the request reached: a digest made for api.silobreaker.com fails here', async () => {
      const digest = encodeURIComponent(digestOf(SEED_KEY.sharedKey, 'GET', 'https://api.silobreaker.com/silobreaker/search/documents/Sweden'));
      const res = await call(agent, sandbox, { path: `/search/documents/Sweden?apiKey=MyApiKey&digest=${digest}` });
      expect(res.status).toBe(401);
    });

    it('fails a digest sent with a raw "+" (it decodes to a space)', async () => {
      // Find a query whose digest contains '+'.
      let q = 0;
      let digest = '';
      for (; q < 500; q++) {
        digest = digestOf(SEED_KEY.sharedKey, 'GET', `${sandbox.baseUrl}/silobreaker/documents?q=Sweden&n=${q}`);
        if (digest.includes('+')) break;
      }
      expect(digest).toContain('+');
      const raw = await call(agent, sandbox, { path: `/documents?q=Sweden&n=${q}&apiKey=MyApiKey&digest=${digest}` });
      expect(raw.status).toBe(401);
      const encoded = await call(agent, sandbox, { path: `/documents?q=Sweden&n=${q}&apiKey=MyApiKey&digest=${encodeURIComponent(digest)}` });
      expect(encoded.status).toBe(200);
    });

    it('accepts an HMAC-SHA512 digest (PROPOSED, chosen by its 88-character length)', async () => {
      const res = await call(agent, sandbox, { path: '/search/documents/Sweden', sign: { ...SEED_KEY, algorithm: 'sha512' } });
      expect(res.status).toBe(200);
    });

    it.each([
      ['no credentials at all', '/search/documents/Sweden'],
      ['apiKey without digest', '/search/documents/Sweden?apiKey=MyApiKey'],
      ['digest without apiKey', '/search/documents/Sweden?digest=YZHTB5EvNKnLhmpyroyGyq71EmQ%3D'],
      ['an unknown apiKey', '/search/documents/Sweden?apiKey=NoSuchKey&digest=YZHTB5EvNKnLhmpyroyGyq71EmQ%3D'],
      ['a digest of the wrong length', '/search/documents/Sweden?apiKey=MyApiKey&digest=abc'],
      ['a malformed percent-escape', '/search/documents/Sweden?apiKey=MyApiKey&digest=%ZZ'],
      ['two digests', '/search/documents/Sweden?apiKey=MyApiKey&digest=YZHTB5EvNKnLhmpyroyGyq71EmQ%3D&digest=YZHTB5EvNKnLhmpyroyGyq71EmQ%3D'],
    ])('answers 401 {"Status":"Unauthorized"} to %s', async (_what, path) => {
      const res = await call(agent, sandbox, { path });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED);
    });

    it('answers 401 to a digest made with the wrong shared key', async () => {
      const res = await call(agent, sandbox, { path: '/search/documents/Sweden', sign: { apiKey: 'MyApiKey', sharedKey: 'NotTheSharedKey' } });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED);
    });

    it('does not let a valid cookie rescue a bad digest', async () => {
      const cookie = await loginCookie(agent, sandbox);
      const res = await call(agent, sandbox, { path: '/search/documents/Sweden', cookie, sign: { apiKey: 'MyApiKey', sharedKey: 'wrong-key' } });
      expect(res.status).toBe(401);
      const cookieOnly = await call(agent, sandbox, { path: '/search/documents/Sweden', cookie });
      expect(cookieOnly.status).toBe(200);
    });

    it('answers 400 to a type other than json and to /documents without q', async () => {
      const xml = await call(agent, sandbox, { path: '/search/documents/Sweden?type=xml', sign: SEED_KEY });
      expect(xml.status).toBe(400);
      expect(xml.body).toEqual({ Status: 'Invalid request', Message: 'type must be json' });
      const noQ = await call(agent, sandbox, { path: '/documents?type=json', sign: SEED_KEY });
      expect(noQ.status).toBe(400);
      expect((noQ.body as { Status: string }).Status).toBe('Invalid request');
    });

    it('answers 400 to a signed POST whose body is not JSON', async () => {
      const res = await call(agent, sandbox, { method: 'POST', path: '/search/documents/Sweden', body: 'not json', sign: SEED_KEY });
      expect(res.status).toBe(400);
    });
  });

  describe('cookie login', () => {
    it('answers Success with CookieName and sets that cookie; also under /v1/login/', async () => {
      for (const path of ['/v1/login', '/v1/login/']) {
        const res = await login(SEED_USER.username, SEED_USER.password, path);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ CookieName: COOKIE_NAME, Status: 'Success' });
        expect(String(res.headers['set-cookie'])).toMatch(new RegExp(`^\\${COOKIE_NAME}=[0-9A-F]{64}; path=/; HttpOnly`));
      }
    });

    it('answers Delay 10 after a wrong password, a new longer delay to an early retry even with the right password, and Success after waiting', async () => {
      const wrong = await login(SEED_USER.username, 'wrong-password');
      expect(wrong.status).toBe(200);
      expect(wrong.body).toEqual({ Status: 'Delay', NextLoginDelayInSeconds: 10 });
      expect(wrong.headers['set-cookie']).toBeUndefined();

      clock.advance(5_000);
      const early = await login(SEED_USER.username, SEED_USER.password);
      expect(early.body).toEqual({ Status: 'Delay', NextLoginDelayInSeconds: 20 });

      clock.advance(19_000);
      expect((await login(SEED_USER.username, SEED_USER.password)).body).toEqual({ Status: 'Delay', NextLoginDelayInSeconds: 40 });

      clock.advance(40_000);
      expect((await login(SEED_USER.username, SEED_USER.password)).body).toEqual({ CookieName: COOKIE_NAME, Status: 'Success' });
      // A success resets the growth.
      expect((await login(SEED_USER.username, 'wrong-again')).body).toEqual({ Status: 'Delay', NextLoginDelayInSeconds: 10 });
    });

    it('doubles the delay on every failure up to the cap of 300 seconds', async () => {
      const seen: number[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await login(SEED_USER.username, 'nope-nope');
        const delay = (res.body as { NextLoginDelayInSeconds: number }).NextLoginDelayInSeconds;
        seen.push(delay);
        clock.advance(delay * 1000);
      }
      expect(seen).toEqual([10, 20, 40, 80, 160, MAX_LOGIN_DELAY_SECONDS, MAX_LOGIN_DELAY_SECONDS]);
    });

    it('answers an unknown user with the same Delay as a wrong password', async () => {
      expect((await login('nobody@example.com', 'whatever')).body).toEqual({ Status: 'Delay', NextLoginDelayInSeconds: 10 });
    });

    it.each([
      ['a body that is not JSON', 'Username=a', 'application/json'],
      ['a form body', 'Username=a&Password=b', 'application/x-www-form-urlencoded'],
      ['a missing Password', JSON.stringify({ Username: 'a' }), 'application/json'],
      ['an unknown field', JSON.stringify({ Username: 'a', Password: 'b', Remember: true }), 'application/json'],
      ['an empty Username', JSON.stringify({ Username: '', Password: 'b' }), 'application/json'],
    ])('answers 400 Invalid request to %s', async (_what, body, contentType) => {
      const res = await call(agent, sandbox, { method: 'POST', path: '/v1/login', body, contentType });
      expect(res.status).toBe(400);
      expect((res.body as { Status: string }).Status).toBe('Invalid request');
    });

    it('reports login status for GET and POST, and ends an idle session after 30 minutes', async () => {
      const cookie = await loginCookie(agent, sandbox);
      for (const method of ['GET', 'POST']) {
        expect((await call(agent, sandbox, { method, path: '/v1/loginstatus', cookie })).body).toEqual({ Status: 'authenticated' });
        expect((await call(agent, sandbox, { method, path: '/v1/loginstatus' })).body).toEqual({ Status: 'unauthenticated' });
      }
      clock.advance(SESSION_IDLE_SECONDS * 1000 - 1000);
      expect((await call(agent, sandbox, { path: '/v1/loginstatus', cookie })).body).toEqual({ Status: 'authenticated' });
      clock.advance(SESSION_IDLE_SECONDS * 1000 + 1000);
      expect((await call(agent, sandbox, { path: '/v1/loginstatus', cookie })).body).toEqual({ Status: 'unauthenticated' });
      expect((await call(agent, sandbox, { path: '/search/documents/Sweden', cookie })).status).toBe(401);
    });

    it('logs out (clearing the cookie) and then finds no active session', async () => {
      const cookie = await loginCookie(agent, sandbox);
      const out = await call(agent, sandbox, { method: 'POST', path: '/v1/logout', cookie });
      expect(out.body).toEqual({ Status: 'Logged out' });
      expect(String(out.headers['set-cookie'])).toMatch(new RegExp(`^\\${COOKIE_NAME}=; expires=Thu, 01 Jan 1970`));
      expect((await call(agent, sandbox, { method: 'GET', path: '/v1/logout', cookie })).body).toEqual({ Status: 'No active session found' });
      expect((await call(agent, sandbox, { path: '/v1/loginstatus', cookie })).body).toEqual({ Status: 'unauthenticated' });
    });
  });

  describe('change password', () => {
    const change = (cookie: string | undefined, body: unknown) =>
      call(agent, sandbox, { method: 'POST', path: '/v1/changepassword', cookie, body: JSON.stringify(body) });

    it('answers 405 to any verb but POST', async () => {
      const res = await call(agent, sandbox, { method: 'GET', path: '/v1/changepassword' });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
    });

    it('answers unauthenticated without a session', async () => {
      const res = await change(undefined, { Password: SEED_USER.password, NewPassword: 'N3w-Passw0rd!' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ Status: 'unauthenticated' });
    });

    it('answers Invalid password to a wrong current password and leaves the password alone', async () => {
      const cookie = await loginCookie(agent, sandbox);
      expect((await change(cookie, { Password: 'not-it', NewPassword: 'N3w-Passw0rd!' })).body).toEqual({ Status: 'Invalid password' });
      expect((await login(SEED_USER.username, SEED_USER.password)).body).toEqual({ CookieName: COOKIE_NAME, Status: 'Success' });
    });

    it('answers 400 to a new password shorter than 8 characters or a missing field', async () => {
      const cookie = await loginCookie(agent, sandbox);
      expect((await change(cookie, { Password: SEED_USER.password, NewPassword: 'short' })).status).toBe(400);
      expect((await change(cookie, { Password: SEED_USER.password })).status).toBe(400);
    });

    it('changes the password: the old one no longer logs in, the new one does', async () => {
      const cookie = await loginCookie(agent, sandbox);
      expect((await change(cookie, { Password: SEED_USER.password, NewPassword: 'N3w-Passw0rd!' })).body).toEqual({ Status: 'Success' });
      expect((await login(SEED_USER.username, SEED_USER.password)).body).toEqual({ Status: 'Delay', NextLoginDelayInSeconds: 10 });
      clock.advance(10_000);
      expect((await login(SEED_USER.username, 'N3w-Passw0rd!')).body).toEqual({ CookieName: COOKIE_NAME, Status: 'Success' });
    });
  });

  describe('API keys (PROPOSED)', () => {
    it('requires a cookie session, even from a caller with a valid digest', async () => {
      expect((await call(agent, sandbox, { path: '/v1/apikeys' })).status).toBe(401);
      const signed = await call(agent, sandbox, { path: '/v1/apikeys', sign: SEED_KEY });
      expect(signed.status).toBe(401);
      expect(signed.body).toEqual(UNAUTHORIZED);
    });

    it('lists the seeded key without its shared key', async () => {
      const cookie = await loginCookie(agent, sandbox);
      const res = await call(agent, sandbox, { path: '/v1/apikeys', cookie });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ Items: [{ ApiKey: 'MyApiKey', Description: SEED_API_KEY_DESCRIPTION, Created: '2024-01-01T00:00:00.000Z' }] });
    });

    it('creates a key whose SharedKey is shown once and signs data calls; deletes it, after which its digests fail', async () => {
      const cookie = await loginCookie(agent, sandbox);
      const created = await call(agent, sandbox, { method: 'POST', path: '/v1/apikeys', cookie, body: JSON.stringify({ Description: 'ci pipeline' }) });
      expect(created.status).toBe(200);
      const key = created.body as { ApiKey: string; SharedKey: string; Description: string; Created: string };
      expect(Object.keys(key).sort()).toEqual(['ApiKey', 'Created', 'Description', 'SharedKey']);
      expect(key.Description).toBe('ci pipeline');
      expect(key.Created).toBe('2026-01-01T00:00:00.000Z');

      const listed = (await call(agent, sandbox, { path: '/v1/apikeys', cookie })).body as { Items: Record<string, unknown>[] };
      expect(listed.Items).toHaveLength(2);
      expect(listed.Items.every((k) => !('SharedKey' in k))).toBe(true);

      expect((await call(agent, sandbox, { path: '/search/documents/Germany', sign: { apiKey: key.ApiKey, sharedKey: key.SharedKey } })).status).toBe(200);

      const del = await call(agent, sandbox, { method: 'DELETE', path: `/v1/apikeys/${key.ApiKey}`, cookie });
      expect(del.body).toEqual({ Status: 'Success' });
      expect((await call(agent, sandbox, { path: '/search/documents/Germany', sign: { apiKey: key.ApiKey, sharedKey: key.SharedKey } })).status).toBe(401);
      const again = await call(agent, sandbox, { method: 'DELETE', path: `/v1/apikeys/${key.ApiKey}`, cookie });
      expect(again.status).toBe(404);
      expect(again.body).toEqual({ Status: 'Not found' });
    });

    it.each([
      ['a missing Description', {}],
      ['an empty Description', { Description: '   ' }],
      ['a Description that is too long', { Description: 'x'.repeat(MAX_DESCRIPTION_LENGTH + 1) }],
      ['a Description that is not a string', { Description: 7 }],
      ['an unknown field', { Description: 'ok', SharedKey: 'mine' }],
    ])('answers 400 Invalid request to %s', async (_what, body) => {
      const cookie = await loginCookie(agent, sandbox);
      const res = await call(agent, sandbox, { method: 'POST', path: '/v1/apikeys', cookie, body: JSON.stringify(body) });
      expect(res.status).toBe(400);
      expect((res.body as { Status: string }).Status).toBe('Invalid request');
      expect((sandbox.emulator('silobreaker').snapshot() as SilobreakerState).apiKeys).toHaveLength(1);
    });
  });

  describe('rate limit (PROPOSED)', () => {
    it(`answers 429 with Retry-After to call ${RATE_LIMIT + 1} within a minute, and lets calls through in the next window`, async () => {
      for (let i = 0; i < RATE_LIMIT; i++) expect((await call(agent, sandbox, { path: '/search/documents/Sweden', sign: SEED_KEY })).status).toBe(200);
      clock.advance(15_000);
      const over = await call(agent, sandbox, { path: '/search/documents/Sweden', sign: SEED_KEY });
      expect(over.status).toBe(429);
      expect(over.headers['retry-after']).toBe('45');
      expect(over.body).toEqual({ Status: 'Too many requests' });
      clock.advance(45_000);
      expect((await call(agent, sandbox, { path: '/search/documents/Sweden', sign: SEED_KEY })).status).toBe(200);
    });
  });

  describe('state', () => {
    it('round-trips snapshot → restore and resets to the seed', async () => {
      const cookie = await loginCookie(agent, sandbox);
      await call(agent, sandbox, { method: 'POST', path: '/v1/apikeys', cookie, body: JSON.stringify({ Description: 'kept' }) });
      const emulator = sandbox.emulator<SilobreakerEmulator>('silobreaker');
      const snap = emulator.snapshot();
      expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
      emulator.reset();
      expect(emulator.snapshot().apiKeys).toHaveLength(1);
      expect((await call(agent, sandbox, { path: '/v1/loginstatus', cookie })).body).toEqual({ Status: 'unauthenticated' });
      emulator.restore(snap);
      expect(emulator.snapshot()).toEqual(snap);
      expect((await call(agent, sandbox, { path: '/v1/loginstatus', cookie })).body).toEqual({ Status: 'authenticated' });
    });

    it.each([
      ['not an object', 42],
      ['a missing array', { users: [], apiKeys: [], sessions: [], loginThrottle: [] }],
      ['an unknown top-level field', { users: [], apiKeys: [], sessions: [], loginThrottle: [], rateWindows: [], extra: 1 }],
      ['a bad password hash', { users: [{ Username: 'a', PasswordSha256: 'x' }], apiKeys: [], sessions: [], loginThrottle: [], rateWindows: [] }],
      [
        'a key without SharedKey',
        { users: [], apiKeys: [{ ApiKey: 'k', Description: '', Created: '2024-01-01T00:00:00Z' }], sessions: [], loginThrottle: [], rateWindows: [] },
      ],
      [
        'a session of an unknown user',
        {
          users: [],
          apiKeys: [],
          sessions: [{ Cookie: 'c', Username: 'x', Created: '2024-01-01T00:00:00Z', LastSeen: '2024-01-01T00:00:00Z' }],
          loginThrottle: [],
          rateWindows: [],
        },
      ],
      [
        'a throttle with zero failures',
        { users: [], apiKeys: [], sessions: [], loginThrottle: [{ Username: 'a', Failures: 0, NextLoginAt: '2024-01-01T00:00:00Z' }], rateWindows: [] },
      ],
    ])('refuses to restore %s (and keeps its state)', async (_what, doc) => {
      const emulator = sandbox.emulator('silobreaker');
      const before = emulator.snapshot();
      expect(() => emulator.restore(doc)).toThrow(/^silobreaker state: /);
      expect(emulator.snapshot()).toEqual(before);
      const res = await agent.request({ origin: sandbox.baseUrl, path: '/__sandbox/state', method: 'PUT', body: JSON.stringify({ silobreaker: doc }) });
      expect(res.statusCode).toBe(400);
      await res.body.text();
    });
  });
});
