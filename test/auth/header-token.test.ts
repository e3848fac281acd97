import { Agent, type Dispatcher } from 'undici';

import { APIACCESS_INVALID_ARGUMENT } from '../../src/core/errors';
import { clearRegisteredSecrets, redact } from '../../src/core/redact';
import { createHeaderTokenInterceptor } from '../../src/auth/header-token';
import { reply, ScriptedServer } from './_server';

describe('createHeaderTokenInterceptor', () => {
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

  it('sets the Signal Sciences headers on every request and replaces a stale caller header', async () => {
    // GIVEN a server expecting two calls
    server = await ScriptedServer.start([reply(200, { ok: 1 }), reply(200, { ok: 2 })]);
    const dispatcher = agent.compose(createHeaderTokenInterceptor({ 'x-api-user': 'ops@example.com', 'x-api-token': 'tok-1234567890' }));

    // WHEN two requests go out, one carrying its own x-api-token
    await (await dispatcher.request({ origin: server.url, path: '/corps', method: 'GET', headers: { 'X-Api-Token': 'stale-token' } })).body.text();
    await (await dispatcher.request({ origin: server.url, path: '/sites', method: 'GET' })).body.text();

    // THEN both carry exactly the configured values
    server.assertDone();
    for (const req of server.requests) {
      expect(req.headers['x-api-user']).toBe('ops@example.com');
      expect(req.headers['x-api-token']).toBe('tok-1234567890');
    }
  });

  it('calls a header function once per request, so a rotated key is used at once', async () => {
    server = await ScriptedServer.start([reply(200), reply(200)]);
    let n = 0;
    const dispatcher = agent.compose(createHeaderTokenInterceptor(() => ({ authorization: `Bearer key-${++n}-abcdefgh` })));

    await (await dispatcher.request({ origin: server.url, path: '/v1/ip/1.2.3.4', method: 'GET' })).body.text();
    await (await dispatcher.request({ origin: server.url, path: '/v1/ip/1.2.3.4', method: 'GET' })).body.text();

    server.assertDone();
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer key-1-abcdefgh', 'Bearer key-2-abcdefgh']);
    expect(redact('got key-2-abcdefgh back')).toBe('got [REDACTED] back');
  });

  it('registers the values as secrets, including the credential after a Bearer scheme', () => {
    createHeaderTokenInterceptor({ 'X-Auth-Token': 'CBSECRET12345/APIID777', Authorization: 'Bearer tj-key-987654' });

    expect(redact('token CBSECRET12345/APIID777 rejected')).toBe('token [REDACTED] rejected');
    expect(redact('key tj-key-987654 expired')).toBe('key [REDACTED] expired');
    // The scheme word itself is not a secret.
    expect(redact('Bearer realm')).toBe('Bearer realm');
  });

  it('issue 14: a header function with a bad answer fails that request through the handler; dispatch does not throw', () => {
    // GIVEN a header function whose answer carries a line break, and one that throws
    const bad = createHeaderTokenInterceptor(() => ({ 'x-api-token': 'abc\r\nx-evil: 1' }));
    const throwing = createHeaderTokenInterceptor(() => {
      throw new Error('rotation store unavailable');
    });
    for (const [interceptor, expected] of [
      [bad, expect.objectContaining({ code: APIACCESS_INVALID_ARGUMENT })],
      [throwing, expect.objectContaining({ message: 'rotation store unavailable' })],
    ] as const) {
      const sent: Dispatcher.DispatchOptions[] = [];
      const errors: Error[] = [];
      const next = ((o: Dispatcher.DispatchOptions) => sent.push(o) > 0) as Dispatcher['dispatch'];
      // WHEN a request is dispatched through it
      const handled = interceptor(next)({ origin: 'http://127.0.0.1', path: '/', method: 'GET' }, { onResponseError: (_c, err) => errors.push(err) });
      // THEN nothing is sent and the handler gets the error
      expect(handled).toBe(true);
      expect(sent).toEqual([]);
      expect(errors).toEqual([expected]);
    }
  });

  it('issue 14: a request whose header function fails rejects with the code and reaches no server', async () => {
    server = await ScriptedServer.start([]);
    const dispatcher = agent.compose(createHeaderTokenInterceptor(() => ({ 'x-api-token': '' })));

    await expect(dispatcher.request({ origin: server.url, path: '/corps', method: 'GET' })).rejects.toMatchObject({ code: APIACCESS_INVALID_ARGUMENT });

    server.assertDone();
    expect(server.requests).toEqual([]);
  });

  it('rejects a header value with a line break (header injection)', () => {
    expect(() => createHeaderTokenInterceptor({ 'x-api-token': 'abc\r\nx-evil: 1' })).toThrow(expect.objectContaining({ code: APIACCESS_INVALID_ARGUMENT }));
  });
});
