/**
 * Issue 11: the Silobreaker constructs: the key and the data source synthesize their blocks, the
 * write-only password takes a sensitive variable and refuses a literal, props are validated with the
 * provider's validators, and ApiAccessFunction.call writes the provider-function call (null included).
 */
import { TerraformOutput, TerraformVariable } from 'cdktf';
import { ApiAccessFunction, ApiAccessProvider, DataSilobreakerApiKeys, SilobreakerApiKey, SilobreakerPassword } from '../../../src/index';
import { removeTempDirs, synthObject } from '../../constructs/_synth';
import { VALIDATION_ERROR } from '../../support/helpers';

afterEach(() => removeTempDirs());

type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>> & { output: Record<string, { value: string }> };

describe('issue 11: Silobreaker constructs', () => {
  it('synthesize the key, the data source, the password from a variable and a function call', () => {
    const json = synthObject((stack) => {
      new ApiAccessProvider(stack, 'apiaccess', { writeProviderMirror: false });
      const key = new SilobreakerApiKey(stack, 'feeds', { description: 'feeds', rotationPeriod: '720h' });
      new DataSilobreakerApiKeys(stack, 'keys', { descriptionPrefix: 'feed' });
      const next = new TerraformVariable(stack, 'next', { type: 'string', sensitive: true });
      new SilobreakerPassword(stack, 'pw', { passwordWo: next.stringValue, passwordWoVersion: 3 });
      new TerraformOutput(stack, 'url', {
        value: ApiAccessFunction.call('silobreaker_signed_url', ['GET', 'https://api.silobreaker.com/x', key.apiKey, key.sharedKey, ApiAccessFunction.NULL]),
        sensitive: true,
      });
    }) as unknown as Json;
    expect(json.resource!.apiaccess_silobreaker_api_key!.feeds).toMatchObject({ description: 'feeds', rotation_period: '720h' });
    expect(json.data!.apiaccess_silobreaker_api_keys!.keys).toMatchObject({ description_prefix: 'feed' });
    expect(json.resource!.apiaccess_silobreaker_password!.pw).toMatchObject({ password_wo: '${var.next}', password_wo_version: 3 });
    expect(json.output.url!.value).toBe(
      '${provider::apiaccess::silobreaker_signed_url("GET", "https://api.silobreaker.com/x", apiaccess_silobreaker_api_key.feeds.api_key, apiaccess_silobreaker_api_key.feeds.shared_key, null)}',
    );
  });

  it('refuse a literal password and an invalid description in the constructor', () => {
    expect(() =>
      synthObject((stack) => {
        new SilobreakerPassword(stack, 'pw', { passwordWo: 'Literal-Passw0rd-1', passwordWoVersion: 1 });
      }),
    ).toThrow(VALIDATION_ERROR);
    expect(() =>
      synthObject((stack) => {
        new SilobreakerApiKey(stack, 'k', { description: '' });
      }),
    ).toThrow(VALIDATION_ERROR);
    expect(() => ApiAccessFunction.call('provider::x', [])).toThrow(/not a function name/);
  });
});
