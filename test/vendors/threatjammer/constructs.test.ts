/**
 * Issue 10: the generated Threat Jammer constructs — the key, the quota and activity data sources
 * synthesize their blocks, props are checked with the provider's own validators, and the provider
 * construct refuses a literal threatjammer_api_key (a sensitive variable is fine).
 */
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { ApiAccessProvider, DataThreatjammerKeyActivity, DataThreatjammerQuota, ThreatjammerApiKey } from '../../../src/index';
import { removeTempDirs, synthObject } from '../../constructs/_synth';
import { VALIDATION_ERROR } from '../../support/helpers';

afterEach(() => removeTempDirs());

type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>> & { output: Record<string, { value: string; sensitive?: boolean }> };

describe('issue 10: generated Threat Jammer constructs', () => {
  it('the key, the quota and the activity synthesize their blocks; value is a sensitive reference', () => {
    const json = synthObject((stack) => {
      new ApiAccessProvider(stack, 'apiaccess', { writeProviderMirror: false });
      const key = new ThreatjammerApiKey(stack, 'key', { rotationPeriod: '720h', disableOnDestroy: false });
      const quota = new DataThreatjammerQuota(stack, 'quota');
      const recent = new DataThreatjammerKeyActivity(stack, 'recent', { limit: 5 });
      new TerraformOutput(stack, 'current_key', { value: key.value, sensitive: true });
      new TerraformOutput(stack, 'left', { value: quota.monthlyRemaining });
      new TerraformOutput(stack, 'events', { value: recent.activities });
    }) as unknown as Json;
    expect(json.resource!.apiaccess_threatjammer_api_key!.key).toEqual({ rotation_period: '720h', disable_on_destroy: false });
    expect(json.data!.apiaccess_threatjammer_quota!.quota).toEqual({});
    expect(json.data!.apiaccess_threatjammer_key_activity!.recent).toEqual({ limit: 5 });
    expect(json.output.current_key).toEqual({ value: '${apiaccess_threatjammer_api_key.key.value}', sensitive: true });
    expect(json.output.left!.value).toBe('${data.apiaccess_threatjammer_quota.quota.monthly_remaining}');
  });

  it.each([
    ['rotationPeriod', () => new ThreatjammerApiKey(synthScope(), 'k', { rotationPeriod: '30d' }), /rotationPeriod is "30d"; it must be a positive duration/],
    ['limit', () => new DataThreatjammerKeyActivity(synthScope(), 'a', { limit: 101 }), /limit is 101; it must be a whole number from 1 to 100 entries/],
    [
      'warnAtPercent',
      () => new DataThreatjammerQuota(synthScope(), 'q', { warnAtPercent: 0 }),
      /warnAtPercent is 0; it must be a whole number from 1 to 100 percent/,
    ],
  ])('%s is checked in the constructor with the provider validator', (_name, make, message) => {
    expect(make).toThrow(VALIDATION_ERROR);
    expect(make).toThrow(message);
  });

  it('refuses a literal threatjammerApiKey and its malformed shape; a sensitive variable passes', () => {
    expect(() =>
      synthObject((stack) => new ApiAccessProvider(stack, 'p', { writeProviderMirror: false, threatjammerApiKey: `tja_${'a'.repeat(36)}` })),
    ).toThrow(VALIDATION_ERROR);
    const json = synthObject((stack) => {
      const v = new TerraformVariable(stack, 'tj_key', { type: 'string', sensitive: true });
      new ApiAccessProvider(stack, 'p', { writeProviderMirror: false, threatjammerApiKey: v.stringValue, threatjammerRegion: 'dublin' });
    }) as unknown as { provider: { apiaccess: Record<string, unknown>[] } };
    expect(json.provider.apiaccess[0]).toMatchObject({ threatjammer_api_key: '${var.tj_key}', threatjammer_region: 'dublin' });
  });
});

/** A bare stack to construct in (no synth needed: validation runs in the constructor). */
function synthScope(): TerraformStack {
  return new TerraformStack(Testing.app(), 'scope');
}
