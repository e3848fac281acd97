import { Agent, type Dispatcher } from 'undici';

import type { ManualClock } from '../../../src/core/clock';
import {
  APIACCESS_CONFIG_MISSING,
  APIACCESS_INVALID_ARGUMENT,
  APIACCESS_LOGIN_DELAYED,
  APIACCESS_UNAUTHORIZED,
  APIACCESS_VENDOR_REJECTED,
} from '../../../src/core/errors';
import { clearRegisteredSecrets, redact } from '../../../src/core/redact';
import type { Sandbox } from '../../../src/sandbox/server';
import { SilobreakerClient, type SilobreakerClientConfig } from '../../../src/vendors/silobreaker/client';
import type { SilobreakerEmulator } from '../../../src/vendors/silobreaker/emulator';
import { SEED_KEY, SEED_USER, startSandbox } from './_helpers';
import { expectNoSecret, rejection } from '../../support/helpers';

describe('SilobreakerClient', () => {
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

  const client = (over: Partial<SilobreakerClientConfig> = {}): SilobreakerClient =>
    new SilobreakerClient({ baseUrl: `${sandbox.baseUrl}/silobreaker`, dispatcher: agent, clock, ...SEED_KEY, ...SEED_USER, ...over });
  const calls = (): string[] => sandbox.calls('silobreaker').map((c) => `${c.method} ${c.path} ${c.status}`);
  const emulator = (): SilobreakerEmulator => sandbox.emulator<SilobreakerEmulator>('silobreaker');

  describe('API-key digest', () => {
    it('searches documents with a signed request', async () => {
      const result = await client().searchDocuments('Sweden');
      expect(result.TotalCount).toBe(2);
      expect(result.Items.map((d) => d.Id)).toEqual(['doc-0001', 'doc-0002']);
      expect(calls()).toEqual(['GET /search/documents/Sweden 200']);
    });

    it('signs a query that needs percent-encoding in the path', async () => {
      const result = await client().searchDocuments('Nordic logistics');
      expect(result.Items.map((d) => d.Id)).toEqual(['doc-0002']);
    });

    it('maps a wrong shared key to APIACCESS_UNAUTHORIZED with no secret in the error', async () => {
      const err = await rejection(client({ sharedKey: 'Not-My-Shared-Key' }).searchDocuments('Sweden'));
      expect(err.code).toBe(APIACCESS_UNAUTHORIZED);
      expect(err.status).toBe(401);
      expect(err.message).toMatch(/Searching documents failed \(Unauthorized\)/);
      expectNoSecret(err, 'Not-My-Shared-Key');
    });

    it('retries a 429 (idempotent GET) and succeeds', async () => {
      const c = client({ clock: undefined });
      const fault = await agent.request({
        origin: sandbox.baseUrl,
        path: '/__sandbox/faults',
        method: 'POST',
        body: JSON.stringify({ vendor: 'silobreaker', status: 429, count: 1 }),
      });
      await fault.body.text();
      expect((await c.searchDocuments('Sweden')).TotalCount).toBe(2);
      expect(calls()).toEqual(['GET /search/documents/Sweden 429', 'GET /search/documents/Sweden 200']);
    });

    it('needs an API key for data calls (APIACCESS_CONFIG_MISSING) and sends nothing', async () => {
      const err = await rejection(client({ apiKey: undefined, sharedKey: undefined }).searchDocuments('Sweden'));
      expect(err.code).toBe(APIACCESS_CONFIG_MISSING);
      expect(calls()).toEqual([]);
    });
  });

  describe('API keys', () => {
    it('creates, lists, finds and deletes a key; the new key signs calls; a second delete is false', async () => {
      const c = client();
      const created = await c.createApiKey({ Description: 'terraform ci' });
      expect(created.Description).toBe('terraform ci');
      expect(created.SharedKey).toMatch(/^[A-Za-z0-9]{40}$/);
      expect(redact(`k=${created.SharedKey}`)).toBe('k=[REDACTED]');

      const keys = await c.listApiKeys();
      expect(keys.map((k) => k.ApiKey).sort()).toEqual(['MyApiKey', created.ApiKey].sort());
      expect(keys.every((k) => !('SharedKey' in k))).toBe(true);
      expect(await c.getApiKey(created.ApiKey)).toEqual({ ApiKey: created.ApiKey, Description: 'terraform ci', Created: created.Created });

      const other = client({ apiKey: created.ApiKey, sharedKey: created.SharedKey, username: undefined, password: undefined });
      expect((await other.searchDocuments('Germany')).TotalCount).toBe(1);

      expect(await c.deleteApiKey(created.ApiKey)).toBe(true);
      expect(await c.deleteApiKey(created.ApiKey)).toBe(false);
      expect(await c.getApiKey(created.ApiKey)).toBeNull();
      expect(sandbox.calls('silobreaker').filter((x) => x.path === '/v1/login')).toHaveLength(1);
    });

    it('issue 6: neither refuses nor adopts by Description (the vendor allows two keys with one Description)', async () => {
      const created = await client().createApiKey({ Description: 'Documentation example key' });
      const same = emulator()
        .snapshot()
        .apiKeys.filter((k) => k.Description === 'Documentation example key');
      expect(same).toHaveLength(2);
      expect(same.map((k) => k.ApiKey)).toContain(created.ApiKey);
      expect(calls().filter((x) => x.startsWith('POST /v1/apikeys'))).toEqual(['POST /v1/apikeys 200']);
    });

    it('maps a Description the vendor refuses to APIACCESS_VENDOR_REJECTED, and an empty one to APIACCESS_INVALID_ARGUMENT before sending', async () => {
      const err = await rejection(client().createApiKey({ Description: 'x'.repeat(201) }));
      expect(err.code).toBe(APIACCESS_VENDOR_REJECTED);
      expect(err.status).toBe(400);
      expect(err.message).toContain('Description must be at most 200 characters');
      const before = calls().length;
      expect((await rejection(client().createApiKey({ Description: ' ' }))).code).toBe(APIACCESS_INVALID_ARGUMENT);
      expect(calls()).toHaveLength(before);
    });

    it('issue 6: a create that never arrived (socket reset) is sent again under the same key: one key, created once', async () => {
      // Inject the reset exactly in front of the create, through the sandbox's control surface.
      let armed = true;
      const faultBeforeCreate =
        (dispatch: Dispatcher['dispatch']): Dispatcher['dispatch'] =>
        (opts, handler) => {
          if (armed && opts.method === 'POST' && opts.path === '/silobreaker/v1/apikeys') {
            armed = false;
            void agent
              .request({
                origin: sandbox.baseUrl,
                path: '/__sandbox/faults',
                method: 'POST',
                body: JSON.stringify({ vendor: 'silobreaker', status: 'reset', count: 1 }),
              })
              .then((r) => r.body.text())
              .then(() => dispatch(opts, handler));
            return true;
          }
          return dispatch(opts, handler);
        };
      // The real clock: the retry layer waits its backoff before sending again.
      const c = client({ dispatcher: agent.compose(faultBeforeCreate), clock: undefined });
      const created = await c.createApiKey({ Description: 'reset once' }, undefined, 'silo-key-1');
      const matching = emulator()
        .snapshot()
        .apiKeys.filter((k) => k.Description === 'reset once');
      expect(matching.map((k) => k.ApiKey)).toEqual([created.ApiKey]);
      expect(calls().filter((x) => x.startsWith('POST /v1/apikeys'))).toEqual(['POST /v1/apikeys 0', 'POST /v1/apikeys 200']);
      expect(calls().filter((x) => x.startsWith('DELETE'))).toEqual([]);
    });

    it('issue 6: the create happened but its answer came too late → a repeat under the same key replays it, nothing is deleted', async () => {
      emulator().holdNextCreateAnswer(1_000);
      const err = await rejection(client({ timeoutMs: 300 }).createApiKey({ Description: 'answer lost' }, undefined, 'silo-key-2'));
      expect(err.code).toBe('APIACCESS_TIMEOUT');
      await new Promise((r) => setTimeout(r, 1_200));
      const created = await client().createApiKey({ Description: 'answer lost' }, undefined, 'silo-key-2');
      const matching = emulator()
        .snapshot()
        .apiKeys.filter((k) => k.Description === 'answer lost');
      expect(matching).toHaveLength(1);
      expect(matching[0]!.ApiKey).toBe(created.ApiKey);
      expect(matching[0]!.SharedKey).toBe(created.SharedKey);
      expect(calls().filter((x) => x.startsWith('DELETE /v1/apikeys/'))).toHaveLength(0);
    });

    it('needs a cookie session for key management (APIACCESS_CONFIG_MISSING)', async () => {
      const err = await rejection(client({ username: undefined, password: undefined }).listApiKeys());
      expect(err.code).toBe(APIACCESS_CONFIG_MISSING);
      expect(calls()).toEqual([]);
    });
  });

  describe('cookie session', () => {
    it('logs in once, reports the status, logs out', async () => {
      const c = client();
      expect(await c.loginStatus()).toBe('unauthenticated');
      await c.login();
      expect(await c.loginStatus()).toBe('authenticated');
      expect(await c.logout()).toBe('Logged out');
      expect(await c.loginStatus()).toBe('unauthenticated');
      expect(await c.logout()).toBe('No active session found');
    });

    it('logs in again by itself when the server ended an idle session', async () => {
      const c = client();
      await c.listApiKeys();
      clock.advance(31 * 60_000);
      expect(await c.listApiKeys()).toHaveLength(1);
      expect(calls()).toEqual(['POST /v1/login 200', 'GET /v1/apikeys 200', 'GET /v1/apikeys 401', 'POST /v1/login 200', 'GET /v1/apikeys 200']);
    });

    it('maps a wrong password to APIACCESS_LOGIN_DELAYED with the delay, and no password in the error', async () => {
      const c = client({ password: 'Wrong-Passw0rd-9', maxLoginAttempts: 1 });
      const err = await rejection(c.listApiKeys());
      expect(err.code).toBe(APIACCESS_LOGIN_DELAYED);
      expect(err.retryAfterSeconds).toBe(10);
      expectNoSecret(err, 'Wrong-Passw0rd-9');
      expect(calls()).toEqual(['POST /v1/login 200']);
    });

    it('does not call the server again before a delay it may not wait out has passed', async () => {
      const c = client({ password: 'Wrong-Passw0rd-9', maxLoginAttempts: 1, maxLoginWaitSeconds: 5 });
      expect((await rejection(c.login())).retryAfterSeconds).toBe(10);
      clock.advance(3_000);
      const second = await rejection(c.listApiKeys());
      expect(second.code).toBe(APIACCESS_LOGIN_DELAYED);
      expect(second.retryAfterSeconds).toBe(7);
      expect(calls()).toEqual(['POST /v1/login 200']);
    });

    it('changes the password; later logins use the new one', async () => {
      const c = client();
      await c.changePassword({ newPassword: 'N3w-Passw0rd!' });
      await c.logout();
      await c.login();
      expect(await c.loginStatus()).toBe('authenticated');
    });

    it('maps a wrong current password to APIACCESS_VENDOR_REJECTED with no password in the error', async () => {
      const err = await rejection(client().changePassword({ currentPassword: 'Not-The-Current-1', newPassword: 'N3w-Passw0rd!' }));
      expect(err.code).toBe(APIACCESS_VENDOR_REJECTED);
      expect(err.field).toBe('password');
      expectNoSecret(err, 'Not-The-Current-1', 'N3w-Passw0rd!');
    });
  });

  describe('configuration', () => {
    it.each([
      ['no credentials', { apiKey: undefined, sharedKey: undefined, username: undefined, password: undefined }],
      ['an API key without its shared key', { sharedKey: undefined }],
      ['a user without a password', { password: undefined }],
      ['a base URL that is not http(s)', { baseUrl: 'ftp://example.com' }],
    ])('refuses %s with APIACCESS_INVALID_ARGUMENT', (_what, over) => {
      expect(() => client(over as Partial<SilobreakerClientConfig>)).toThrow(expect.objectContaining({ code: APIACCESS_INVALID_ARGUMENT }));
    });
  });
});
