/**
 * Issue 7: the constructs generated from the Signicat specs beyond the two resources: the data
 * sources synthesize `data` blocks, the ephemeral token writes an `ephemeral` block through the
 * stack escape hatch and returns `${ephemeral...}` references, literal secrets are refused, and
 * the client's token grant for any client works against the sandbox.
 */
import { TerraformOutput, TerraformVariable } from 'cdktf';
import {
  ApiAccessDataSource,
  ApiAccessEphemeral,
  ApiAccessProvider,
  DataSignicatApiClient,
  DataSignicatApiClients,
  SignicatAccessToken,
  SignicatApiClient,
  SignicatClientSecret,
} from '../../../src/index';
import { SignicatClient } from '../../../src/vendors/signicat/client';
import { removeTempDirs, synthObject } from '../../constructs/_synth';
import { SEED_ACCOUNT_ID, SEED_CLIENT_ID, SEED_CLIENT_SECRET, startSandbox, tokenCalls } from './_sandbox';
import { VALIDATION_ERROR } from '../../support/helpers';

afterEach(() => removeTempDirs());

type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

describe('issue 7: generated Signicat constructs', () => {
  it('data sources synthesize data blocks from their props', () => {
    const json = synthObject((stack) => {
      new ApiAccessProvider(stack, 'apiaccess', { writeProviderMirror: false });
      const all = new DataSignicatApiClients(stack, 'all');
      const some = new DataSignicatApiClients(stack, 'some', { namePrefix: 'pipeline-' });
      const one = new DataSignicatApiClient(stack, 'one', { id: 'sandbox-round-apple-123' });
      expect(ApiAccessDataSource.isApiAccessDataSource(one)).toBe(true);
      expect(ApiAccessDataSource.isApiAccessDataSource(all)).toBe(true);
      new TerraformOutput(stack, 'clients', { value: some.clients });
      new TerraformOutput(stack, 'perms', { value: one.permissions });
    }) as unknown as Json & { output: Record<string, { value: string }> };
    expect(json.data!.apiaccess_signicat_api_clients!.some).toMatchObject({ name_prefix: 'pipeline-' });
    expect(json.data!.apiaccess_signicat_api_clients!.all!.name_prefix).toBeUndefined();
    expect(json.data!.apiaccess_signicat_api_client!.one).toMatchObject({ id: 'sandbox-round-apple-123' });
    expect(json.output.clients!.value).toBe('${data.apiaccess_signicat_api_clients.some.clients}');
    expect(json.output.perms!.value).toContain('data.apiaccess_signicat_api_client.one.permissions');
  });

  it('the ephemeral token writes an ephemeral block through the escape hatch and hands out ${ephemeral...} references', () => {
    let token!: SignicatAccessToken;
    const json = synthObject((stack) => {
      new ApiAccessProvider(stack, 'apiaccess', { writeProviderMirror: false });
      const client = new SignicatApiClient(stack, 'client', { name: 'ci' });
      const secret = new SignicatClientSecret(stack, 'secret', { clientId: client.clientId, rotationPeriod: '720h' });
      token = new SignicatAccessToken(stack, 'token', { clientId: client.clientId, clientSecret: secret.value });
    }) as unknown as Json;
    expect(ApiAccessEphemeral.isApiAccessEphemeral(token)).toBe(true);
    expect(json.ephemeral!.apiaccess_signicat_access_token!.token).toEqual({
      client_id: '${apiaccess_signicat_api_client.client.id}',
      client_secret: '${apiaccess_signicat_client_secret.secret.value}',
    });
    expect(json.resource!.apiaccess_signicat_client_secret!.secret).toMatchObject({ rotation_period: '720h' });
    expect(token.accessToken).toBe('${ephemeral.apiaccess_signicat_access_token.token.access_token}');
    expect(token.expiresAt).toBe('${ephemeral.apiaccess_signicat_access_token.token.expires_at}');
  });

  it('refuses a literal client secret and a bad rotation_period, naming the prop', () => {
    expect(() =>
      synthObject((stack) => {
        new SignicatAccessToken(stack, 'token', { clientId: 'c', clientSecret: 'literal-secret-value' });
      }),
    ).toThrow(expect.objectContaining({ prop: 'clientSecret', code: 'APIACCESS_INVALID_ARGUMENT' }));
    expect(() =>
      synthObject((stack) => {
        new SignicatClientSecret(stack, 'secret', { clientId: 'c', rotationPeriod: '30d' });
      }),
    ).toThrow(VALIDATION_ERROR);
    expect(() =>
      synthObject((stack) => {
        const v = new TerraformVariable(stack, 's', { type: 'string', sensitive: true });
        new SignicatAccessToken(stack, 'token', { clientId: 'c', clientSecret: v.stringValue });
      }),
    ).not.toThrow();
  });

  it('SignicatClient.issueAccessToken gets a token for any client with one token request', async () => {
    const { sandbox } = await startSandbox();
    try {
      const c = new SignicatClient({
        baseUrl: `${sandbox.baseUrl}/signicat`,
        clientId: SEED_CLIENT_ID,
        clientSecret: SEED_CLIENT_SECRET,
        accountId: SEED_ACCOUNT_ID,
      });
      const before = Date.now();
      const t = await c.issueAccessToken(SEED_CLIENT_ID, SEED_CLIENT_SECRET);
      expect(t.accessToken.length).toBeGreaterThan(10);
      expect(t.expiresAt).toBeGreaterThan(before);
      expect(tokenCalls(sandbox)).toHaveLength(1);
    } finally {
      await sandbox.close();
    }
  });
});
