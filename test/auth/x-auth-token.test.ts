import { Agent } from 'undici';

import { APIACCESS_INVALID_ARGUMENT, ApiAccessError } from '../../src/core/errors';
import { clearRegisteredSecrets, redact } from '../../src/core/redact';
import { assertXAuthTokenPart, createXAuthTokenInterceptor } from '../../src/auth/x-auth-token';
import { reply, ScriptedServer } from './_server';
import { thrown } from '../support/helpers';

const SECRET = 'ABCDEFGHIJKLMNO123456789';
const ID = 'ABCD123456';

describe('createXAuthTokenInterceptor', () => {
  let server: ScriptedServer | undefined;
  let agent: Agent;

  beforeEach(() => {
    agent = new Agent();
    clearRegisteredSecrets();
  });
  afterEach(async () => {
    await agent.close();
    await server?.close();
    server = undefined;
    clearRegisteredSecrets();
  });

  it('sends X-Auth-Token: <secret>/<id> and replaces a header the caller set', async () => {
    // GIVEN a server expecting two calls
    server = await ScriptedServer.start([reply(200, { success: true }), reply(200, { success: true })]);
    const dispatcher = agent.compose(createXAuthTokenInterceptor({ apiSecretKey: SECRET, apiId: ID }));

    // WHEN one request carries a stale token of its own
    await (
      await dispatcher.request({ origin: server.url, path: '/integrationServices/v3/device', method: 'GET', headers: { 'X-AUTH-TOKEN': 'OLD/OLD' } })
    ).body.text();
    await (await dispatcher.request({ origin: server.url, path: '/integrationServices/v3/device', method: 'GET' })).body.text();

    // THEN both carry exactly the configured token, once
    server.assertDone();
    expect(server.requests.map((r) => r.headers['x-auth-token'])).toEqual([`${SECRET}/${ID}`, `${SECRET}/${ID}`]);
  });

  it('registers the secret (and so the whole token) for redaction, but not the API ID alone', () => {
    createXAuthTokenInterceptor({ apiSecretKey: SECRET, apiId: ID });
    const line = redact(`token ${SECRET}/${ID} rejected`);
    expect(line).not.toContain(SECRET);
    expect(line).toMatch(/^token \[REDACTED\](\/ABCD123456)? rejected$/);
    expect(redact(`secret ${SECRET} leaked`)).toBe('secret [REDACTED] leaked');
    expect(redact(`key ${ID} is over its budget`)).toBe(`key ${ID} is over its budget`);
  });

  it.each([
    ['apiSecretKey', 'empty', { apiSecretKey: '', apiId: ID }],
    ['apiId', 'empty', { apiSecretKey: SECRET, apiId: '' }],
    ['apiSecretKey', 'containing "/"', { apiSecretKey: `${SECRET}/${ID}`, apiId: ID }],
    ['apiId', 'containing "/"', { apiSecretKey: SECRET, apiId: `x/${ID}` }],
    ['apiSecretKey', 'with a trailing line break', { apiSecretKey: `${SECRET}\n`, apiId: ID }],
    ['apiId', 'with an inner space', { apiSecretKey: SECRET, apiId: 'ABCD 23456' }],
    ['apiSecretKey', 'not a string', { apiSecretKey: 42 as unknown as string, apiId: ID }],
    ['apiId', 'missing', { apiSecretKey: SECRET } as unknown as { apiSecretKey: string; apiId: string }],
  ])('refuses %s %s with APIACCESS_INVALID_ARGUMENT naming the field and not the value', (field, _label, options) => {
    const err = thrown(() => createXAuthTokenInterceptor(options));
    expect(err.code).toBe(APIACCESS_INVALID_ARGUMENT);
    expect(err.field).toBe(field);
    expect(err.message).toContain(`"${field}"`);
    expect(err.message).not.toContain(SECRET);
    expect(JSON.stringify(err)).not.toContain(SECRET);
  });

  it('calls credential functions once per request, so a regenerated secret is used at once', async () => {
    server = await ScriptedServer.start([reply(200), reply(200)]);
    const secrets = ['FIRSTSECRET0000000000001', 'SECONDSECRET000000000002'];
    let n = 0;
    const dispatcher = agent.compose(createXAuthTokenInterceptor({ apiSecretKey: () => secrets[n++]!, apiId: ID }));

    await (await dispatcher.request({ origin: server.url, path: '/a', method: 'GET' })).body.text();
    await (await dispatcher.request({ origin: server.url, path: '/a', method: 'GET' })).body.text();

    server.assertDone();
    expect(server.requests.map((r) => r.headers['x-auth-token'])).toEqual([`${secrets[0]}/${ID}`, `${secrets[1]}/${ID}`]);
    expect(redact(`old ${secrets[0]}`)).toBe('old [REDACTED]');
  });

  it('fails a request whose credential function returns a bad value before anything is sent', async () => {
    server = await ScriptedServer.start([]);
    const dispatcher = agent.compose(createXAuthTokenInterceptor({ apiSecretKey: SECRET, apiId: () => 'A/B' }));

    const err = await dispatcher.request({ origin: server.url, path: '/a', method: 'GET' }).then(
      () => undefined,
      (e: unknown) => e as ApiAccessError,
    );

    expect(err).toMatchObject({ code: APIACCESS_INVALID_ARGUMENT, field: 'apiId' });
    server.assertDone();
  });

  it('checks a fixed half at construction even when the other half is a function', () => {
    expect(thrown(() => createXAuthTokenInterceptor({ apiSecretKey: '', apiId: () => ID })).field).toBe('apiSecretKey');
    expect(thrown(() => createXAuthTokenInterceptor({ apiSecretKey: () => SECRET, apiId: 'a/b' })).field).toBe('apiId');
  });

  it('assertXAuthTokenPart accepts the documented example formats', () => {
    expect(() => assertXAuthTokenPart(SECRET, 'apiSecretKey')).not.toThrow();
    expect(() => assertXAuthTokenPart(ID, 'apiId')).not.toThrow();
  });
});
