/**
 * Issue 9: the Carbon Black constructs validate their props in the constructor with the
 * provider's own validators (the cross-attribute rule included), leave tokens to the plan, refuse
 * a literal managing secret, and synthesize what Terraform reads.
 */
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { ApiAccessProvider, CarbonblackApiKey, DataCarbonblackAccessLevels, DataCarbonblackApiKeys } from '../../../src/index';

function stack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'cb');
}

describe('issue 9: Carbon Black constructs', () => {
  it('synthesizes the key with its attributes and exposes the API ID and the sensitive token', () => {
    const s = stack();
    new ApiAccessProvider(s, 'apiaccess', {});
    const key = new CarbonblackApiKey(s, 'siem', { name: 'splunk', accessLevel: 'SIEM', allowedIpAddresses: ['203.0.113.0/24'], rotationPeriod: '720h' });
    new TerraformOutput(s, 'id', { value: key.apiId });
    new TerraformOutput(s, 'token', { value: key.xAuthToken, sensitive: true });
    new DataCarbonblackApiKeys(s, 'keys', { accessLevel: 'SIEM' });
    new DataCarbonblackAccessLevels(s, 'levels', { permission: 'org.api_keys' });
    const json = JSON.parse(Testing.synth(s)) as {
      resource: Record<string, Record<string, unknown>>;
      data: Record<string, Record<string, unknown>>;
      output: Record<string, { value: string; sensitive?: boolean }>;
    };
    expect(json.resource.apiaccess_carbonblack_api_key!.siem).toMatchObject({
      name: 'splunk',
      access_level: 'SIEM',
      allowed_ip_addresses: ['203.0.113.0/24'],
      rotation_period: '720h',
    });
    expect(json.data.apiaccess_carbonblack_api_keys!.keys).toMatchObject({ access_level: 'SIEM' });
    expect(json.data.apiaccess_carbonblack_access_levels!.levels).toMatchObject({ permission: 'org.api_keys' });
    expect(json.output.id!.value).toBe('${apiaccess_carbonblack_api_key.siem.api_id}');
    expect(json.output.token).toEqual({ value: '${apiaccess_carbonblack_api_key.siem.x_auth_token}', sensitive: true });
  });

  it.each([
    [{ name: 'a', accessLevel: 'ADMIN' }, 'accessLevel'],
    [{ name: 'a', accessLevel: 'SIEM', customAccessLevelId: 1002 }, 'customAccessLevelId'],
    [{ name: 'a', accessLevel: 'CUSTOM' }, 'customAccessLevelId'],
    [{ name: 'a', accessLevel: 'API', allowedIpAddresses: ['10.0.0.0/33'] }, 'allowedIpAddresses'],
    [{ name: '', accessLevel: 'API' }, 'name'],
    [{ name: 'a', accessLevel: 'API', rotationPeriod: 'monthly' }, 'rotationPeriod'],
  ])('refuses %j in the constructor, naming %s', (props, prop) => {
    expect(() => new CarbonblackApiKey(stack(), 'k', props)).toThrow(expect.objectContaining({ code: 'APIACCESS_INVALID_ARGUMENT', prop }));
  });

  it('leaves tokens to the plan (the cross-attribute rule skips an unresolved access level)', () => {
    const s = stack();
    const level = new TerraformVariable(s, 'level', { type: 'string' });
    expect(() => new CarbonblackApiKey(s, 'k', { name: 'a', accessLevel: level.stringValue, customAccessLevelId: 1002 })).not.toThrow();
    expect(() => new CarbonblackApiKey(s, 'c', { name: 'c', accessLevel: 'CUSTOM', customAccessLevelId: 1002 })).not.toThrow();
  });

  it('refuses a literal managing API Secret Key in the provider props', () => {
    expect(() => new ApiAccessProvider(stack(), 'apiaccess', { carbonblackApiSecretKey: 'SBXKEYSSECRETKEY00000004' })).toThrow(
      expect.objectContaining({ code: 'APIACCESS_INVALID_ARGUMENT' }),
    );
  });
});
