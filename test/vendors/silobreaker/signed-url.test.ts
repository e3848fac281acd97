/** Issue 11: the signer behind provider::apiaccess::silobreaker_signed_url, with the seed's two digests as vectors. */
import { APIACCESS_INVALID_ARGUMENT } from '../../../src/core/errors';
import { FunctionsEngine } from '../../../src/provider/framework/functions';
import { signedUrl } from '../../../src/vendors/silobreaker/client';
import { silobreakerProvider } from '../../../src/vendors/silobreaker/provider';
import type { Sandbox } from '../../../src/sandbox/server';
import { SEED_KEY, startSandbox } from './_helpers';

const BASE = { apiKey: 'MyApiKey', sharedKey: 'MySharedKey' };
const URL_ = 'https://api.silobreaker.com/search/documents/Sweden';

describe('issue 11: silobreaker signed URL', () => {
  it('GET: the seed vector YZHTB5EvNKnLhmpyroyGyq71EmQ= appended percent-encoded', () => {
    expect(signedUrl({ ...BASE, method: 'GET', url: URL_ })).toBe(`${URL_}?apiKey=MyApiKey&digest=YZHTB5EvNKnLhmpyroyGyq71EmQ%3D`);
  });

  it('POST: the seed vector yuoW8y5jWb6EG2VQAnD9j4QPmiA= covers the body byte for byte (with its newline)', () => {
    expect(signedUrl({ ...BASE, method: 'POST', url: URL_, body: '{"id": "example"}\n' })).toBe(
      `${URL_}?apiKey=MyApiKey&digest=yuoW8y5jWb6EG2VQAnD9j4QPmiA%3D`,
    );
    // one byte less (no trailing LF) is another digest
    expect(signedUrl({ ...BASE, method: 'POST', url: URL_, body: '{"id": "example"}' })).toBe(`${URL_}?apiKey=MyApiKey&digest=YBKsCFzYqGlWbeUzBsRaLBKWGVE%3D`);
  });

  it('appends with & to a URL that has a query, and an empty body equals none', () => {
    const got = signedUrl({ ...BASE, method: 'GET', url: `${URL_}?type=json`, body: '' });
    expect(got.startsWith(`${URL_}?type=json&apiKey=MyApiKey&digest=`)).toBe(true);
    expect(got).toBe(signedUrl({ ...BASE, method: 'GET', url: `${URL_}?type=json`, body: null }));
  });

  it.each([
    ['method', { method: 'get', url: URL_ }],
    ['url', { method: 'GET', url: '/search/documents' }],
    ['url', { method: 'GET', url: `${URL_}?q=a b` }],
    ['url', { method: 'GET', url: `${URL_}#x` }],
    ['url', { method: 'GET', url: `${URL_}?` }],
    ['url', { method: 'GET', url: `${URL_}?apiKey=x` }],
  ])('refuses a bad %s with APIACCESS_INVALID_ARGUMENT naming it', (field, input) => {
    expect(() => signedUrl({ ...BASE, ...input })).toThrow(expect.objectContaining({ code: APIACCESS_INVALID_ARGUMENT, field }));
  });

  it('is advertised as a provider function and a bad argument is an error naming its index', () => {
    const fns = new FunctionsEngine([silobreakerProvider]);
    const def = fns.definitions().get('silobreaker_signed_url')!;
    expect(def.parameters.map((p) => [p.name, p.allowNull])).toEqual([
      ['method', false],
      ['url', false],
      ['api_key', false],
      ['shared_key', false],
      ['body', true],
    ]);
    expect(fns.call('silobreaker_signed_url', ['GET', URL_, 'MyApiKey', 'MySharedKey', null])).toEqual({
      result: `${URL_}?apiKey=MyApiKey&digest=YZHTB5EvNKnLhmpyroyGyq71EmQ%3D`,
    });
    const bad = fns.call('silobreaker_signed_url', ['GET', 'nope', 'MyApiKey', 'MySharedKey', null]);
    expect(bad).toMatchObject({ error: { argument: 1 } });
    expect(fns.call('silobreaker_signed_url', ['GET', URL_, 'MyApiKey', 'MySharedKey', null].slice(0, 4))).toMatchObject({ error: {} });
  });
});

describe('issue 11: signed URLs against the sandbox', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    ({ sandbox } = await startSandbox());
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('the sandbox accepts the signed URL for GET and POST, and refuses a one-byte change of the body', async () => {
    const base = `${sandbox.baseUrl}/silobreaker/search/documents/Sweden`;
    const get = await fetch(signedUrl({ ...SEED_KEY, method: 'GET', url: `${base}?type=json` }));
    expect(get.status).toBe(200);
    const body = '{"id": "example"}\n';
    const url = signedUrl({ ...SEED_KEY, method: 'POST', url: base, body });
    const post = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(post.status).toBe(200);
    const changed = await fetch(url, { method: 'POST', body: '{"id": "examplf"}\n', headers: { 'content-type': 'application/json' } });
    expect(changed.status).toBe(401);
  });
});
