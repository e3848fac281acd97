/** Issue 6: Signicat's provider part declares its credentials and verifies them with a token request. */
import { clearTokenCache } from '../../../src/auth/oauth2-client-credentials';
import { silentLogger } from '../../../src/core/log';
import { APIACCESS_UNAUTHORIZED } from '../../../src/core/errors';
import type { Sandbox } from '../../../src/sandbox/server';
import type { SignicatClient } from '../../../src/vendors/signicat/client';
import { signicatProvider } from '../../../src/vendors/signicat/provider';
import { SEED_ACCOUNT_ID, SEED_CLIENT_ID, SEED_CLIENT_SECRET, startSandbox } from './_sandbox';

let sandbox: Sandbox;

beforeEach(async () => {
  clearTokenCache();
  ({ sandbox } = await startSandbox());
});

afterEach(async () => {
  await sandbox.close();
});

function client(secret: string): SignicatClient {
  return signicatProvider.createClient(
    { base_url: `${sandbox.baseUrl}/signicat`, client_id: SEED_CLIENT_ID, client_secret: secret, account_id: SEED_ACCOUNT_ID },
    silentLogger,
  );
}

describe('issue 6: signicatProvider', () => {
  it('declares client_id and client_secret as credentials and base_url as its endpoint, all of them settings', () => {
    expect(signicatProvider.credentials).toEqual(['client_id', 'client_secret']);
    expect(signicatProvider.endpoint).toBe('base_url');
    for (const s of [...signicatProvider.credentials, signicatProvider.endpoint!]) expect(Object.keys(signicatProvider.settings)).toContain(s);
  });

  it('verifyCredentials fetches one token and changes nothing', async () => {
    await signicatProvider.verifyCredentials!(client(SEED_CLIENT_SECRET), AbortSignal.timeout(10_000));
    expect(sandbox.calls('signicat').map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual(['POST /auth/open/connect/token 200']);
  });

  it('verifyCredentials with a wrong secret rejects with APIACCESS_UNAUTHORIZED naming client_secret', async () => {
    const wrong = 'wrongS3cr3tValue-2222222222';
    const err = await signicatProvider.verifyCredentials!(client(wrong), AbortSignal.timeout(10_000)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: APIACCESS_UNAUTHORIZED, field: 'client_secret' });
    expect(JSON.stringify(err) + String(err)).not.toContain(wrong);
  });
});
