import { Agent } from 'undici';

import { createBearerKeyInterceptor, assertBearerKey } from '../../src/auth/bearer-key';
import { APIACCESS_INVALID_ARGUMENT, ApiAccessError } from '../../src/core/errors';
import { clearRegisteredSecrets, redact } from '../../src/core/redact';
import { Sandbox } from '../../src/sandbox/server';
import { THREATJAMMER_KEY_FORMAT } from '../../src/vendors/threatjammer/auth-params';
import { createThreatJammerEmulator, SEED_API_KEY } from '../../src/vendors/threatjammer/emulator';
import { thrown } from '../support/helpers';
import { reply, ScriptedServer } from './_server';

const GOOD = 'tja_Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4fGh7j';
/** The check with Threat Jammer's key format. */
const assertTja = (key: unknown): void => assertBearerKey(key, THREATJAMMER_KEY_FORMAT);

/** The error must not contain the key (or any 8-character piece of it) in its message or enumerable fields. */
function expectNoKey(err: ApiAccessError, key: string): void {
  const visible = `${err.message} ${JSON.stringify(err)}`;
  for (let i = 0; i + 8 <= key.length; i++) expect(visible).not.toContain(key.slice(i, i + 8));
}

describe('assertBearerKey', () => {
  it('accepts tja_ + 36 base-62 characters', () => {
    expect(GOOD).toHaveLength(40);
    expect(() => assertTja(GOOD)).not.toThrow();
    expect(() => assertTja(SEED_API_KEY)).not.toThrow();
  });

  it('names a missing key', () => {
    for (const key of [undefined, '', 42]) {
      const err = thrown(() => assertTja(key));
      expect(err.code).toBe(APIACCESS_INVALID_ARGUMENT);
      expect(err.field).toBe('apiKey');
      expect(err.message).toMatch(/is missing/);
    }
  });

  it('names a wrong prefix without showing the key', () => {
    const key = `tjb_${GOOD.slice(4)}`;
    const err = thrown(() => assertTja(key));
    expect(err.code).toBe(APIACCESS_INVALID_ARGUMENT);
    expect(err.message).toMatch(/does not start with "tja_"/);
    expectNoKey(err, key);
  });

  it('says to leave out "Bearer " when the key carries it', () => {
    const err = thrown(() => assertTja(`Bearer ${GOOD}`));
    expect(err.message).toMatch(/starts with "Bearer "/);
    expectNoKey(err, GOOD);
  });

  it('gives the actual length of a key that is too short or too long', () => {
    const short = thrown(() => assertTja(GOOD.slice(0, 39)));
    expect(short.message).toMatch(/is 39 characters long, expected 40/);
    expectNoKey(short, GOOD);
    const long = thrown(() => assertTja(`${GOOD}Z`));
    expect(long.message).toMatch(/is 41 characters long, expected 40/);
  });

  it('points at trailing and leading whitespace', () => {
    expect(thrown(() => assertTja(`${GOOD}\n`)).message).toMatch(/41 characters long.*trailing whitespace/);
    expect(thrown(() => assertTja(` ${GOOD.slice(1)}`)).message).toMatch(/does not start with "tja_"/);
    expect(thrown(() => assertTja(` ${GOOD}`)).message).toMatch(/leading whitespace/);
  });

  it('gives the 1-based position of a character outside base-62', () => {
    const key = `${GOOD.slice(0, 20)}-${GOOD.slice(21)}`;
    const err = thrown(() => assertTja(key));
    expect(err.message).toMatch(/character 21 is "-", which is not base-62/);
    expectNoKey(err, key);
    const accented = `${GOOD.slice(0, 9)}é${GOOD.slice(10)}`;
    expect(thrown(() => assertTja(accented)).message).toMatch(/character 10 is U\+00E9/);
    const spaced = `${GOOD.slice(0, 4)} ${GOOD.slice(5)}`;
    expect(thrown(() => assertTja(spaced)).message).toMatch(/character 5 is a space/);
  });

  it('checks another prefixed format when given one', () => {
    const format = { prefix: 'abc_', payloadLength: 4, vendor: 'Example' };
    expect(() => assertBearerKey('abc_1234', format)).not.toThrow();
    expect(thrown(() => assertBearerKey('abc_12345', format)).message).toMatch(/is 9 characters long, expected 8/);
    expect(THREATJAMMER_KEY_FORMAT.payloadLength).toBe(36);
  });

  it('takes the key format from the caller: the interceptor refuses options without one', () => {
    const err = thrown(() => createBearerKeyInterceptor({ apiKey: GOOD } as unknown as Parameters<typeof createBearerKeyInterceptor>[0]));
    expect(err.code).toBe(APIACCESS_INVALID_ARGUMENT);
  });
});

describe('createBearerKeyInterceptor', () => {
  let server: ScriptedServer | undefined;
  let sandbox: Sandbox | undefined;
  let agent: Agent;

  beforeEach(() => {
    agent = new Agent();
    clearRegisteredSecrets();
  });
  afterEach(async () => {
    await agent.close();
    await server?.close();
    await sandbox?.close();
    server = undefined;
    sandbox = undefined;
    clearRegisteredSecrets();
  });

  it('sends Authorization: Bearer <key> and replaces a header the caller set', async () => {
    server = await ScriptedServer.start([reply(200, { ok: true }), reply(200, { ok: true })]);
    const dispatcher = agent.compose(createBearerKeyInterceptor({ apiKey: GOOD, format: THREATJAMMER_KEY_FORMAT }));

    await (await dispatcher.request({ origin: server.url, path: '/test', method: 'GET', headers: { Authorization: 'Basic c3RhbGU=' } })).body.text();
    await (
      await dispatcher.request({
        origin: server.url,
        path: '/v1/token',
        method: 'GET',
        headers: ['Accept', 'application/json', 'authorization', 'Bearer stale'],
      })
    ).body.text();

    server.assertDone();
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${GOOD}`, `Bearer ${GOOD}`]);
  });

  it('registers the key for redaction', () => {
    createBearerKeyInterceptor({ apiKey: GOOD, format: THREATJAMMER_KEY_FORMAT });
    expect(redact(`key ${GOOD} leaked`)).toBe('key [REDACTED] leaked');
  });

  it('refuses a malformed fixed key when created, before any request exists', () => {
    const key = `${GOOD.slice(0, 39)}`;
    const err = thrown(() => createBearerKeyInterceptor({ apiKey: key, format: THREATJAMMER_KEY_FORMAT }));
    expect(err.code).toBe(APIACCESS_INVALID_ARGUMENT);
    expect(err.message).toMatch(/39 characters/);
    expect(redact(`x ${key} y`)).toBe('x [REDACTED] y');
  });

  it('fails a request whose key function returns a malformed key, and sends nothing', async () => {
    server = await ScriptedServer.start([]);
    const key = `${GOOD.slice(0, 30)}!${GOOD.slice(31)}`;
    const dispatcher = agent.compose(createBearerKeyInterceptor({ apiKey: () => key, format: THREATJAMMER_KEY_FORMAT }));

    const err = await dispatcher.request({ origin: server.url, path: '/test', method: 'GET' }).catch((e: unknown) => e);

    expect(ApiAccessError.isApiAccessError(err)).toBe(true);
    expect((err as ApiAccessError).code).toBe(APIACCESS_INVALID_ARGUMENT);
    expect((err as ApiAccessError).message).toMatch(/character 31 is "!"/);
    expectNoKey(err as ApiAccessError, key);
    server.assertDone();
  });

  it('calls a key function once per request, so a regenerated key is used at once', async () => {
    server = await ScriptedServer.start([reply(200), reply(200)]);
    let key = GOOD;
    const dispatcher = agent.compose(createBearerKeyInterceptor({ apiKey: () => key, format: THREATJAMMER_KEY_FORMAT }));
    await (await dispatcher.request({ origin: server.url, path: '/test', method: 'GET' })).body.text();
    key = SEED_API_KEY;
    await (await dispatcher.request({ origin: server.url, path: '/test', method: 'GET' })).body.text();
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${GOOD}`, `Bearer ${SEED_API_KEY}`]);
    expect(redact(SEED_API_KEY)).toBe('[REDACTED]');
  });

  it('is accepted by the Threat Jammer sandbox, which rejects the same key without the Bearer prefix', async () => {
    sandbox = await Sandbox.start({ emulators: [createThreatJammerEmulator] });
    const dispatcher = agent.compose(createBearerKeyInterceptor({ apiKey: SEED_API_KEY, format: THREATJAMMER_KEY_FORMAT }));
    const ok = await dispatcher.request({ origin: sandbox.baseUrl, path: '/threatjammer/test', method: 'GET' });
    expect(ok.statusCode).toBe(200);
    await ok.body.text();

    const bare = await agent.request({ origin: sandbox.baseUrl, path: '/threatjammer/test', method: 'GET', headers: { authorization: SEED_API_KEY } });
    expect(bare.statusCode).toBe(401);
    expect(((await bare.body.json()) as { detail: string }).detail).toMatch(/Bearer/);
  });
});
