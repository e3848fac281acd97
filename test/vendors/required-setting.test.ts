/** Every vendor's provider refuses to build a client without its required settings, naming the setting. */
import { APIACCESS_CONFIG_MISSING, ApiAccessError } from '../../src/core/errors';
import { silentLogger } from '../../src/core/log';
import { carbonBlackProvider } from '../../src/vendors/carbonblack/provider';
import { requiredSetting } from '../../src/vendors/required-setting';
import { signicatProvider } from '../../src/vendors/signicat/provider';
import { sigsciProvider } from '../../src/vendors/sigsci/provider';
import { silobreakerProvider } from '../../src/vendors/silobreaker/provider';
import { threatJammerProvider } from '../../src/vendors/threatjammer/provider';

function refusal(fn: () => unknown): ApiAccessError {
  try {
    fn();
  } catch (err) {
    if (ApiAccessError.isApiAccessError(err)) return err;
    throw err;
  }
  throw new Error('expected a config-missing error');
}

describe('required settings', () => {
  it('gives the value, or an error naming <vendor>_<name> with the hint', () => {
    const required = requiredSetting('demo');
    expect(required({ token: 't' }, 'token')).toBe('t');
    const missing = refusal(() => required({ token: '' }, 'token', 'give a token.'));
    expect(missing.code).toBe(APIACCESS_CONFIG_MISSING);
    expect(missing.field).toBe('token');
    expect(missing.message).toContain('demo_token is not set: give a token.');
    expect(refusal(() => required({ token: null }, 'token')).message).toContain('demo_token is not set');
  });

  it.each([
    [carbonBlackProvider, { base_url: 'https://cb.example' }, 'carbonblack_api_id is not set: give the API ID'],
    [signicatProvider, { client_id: 'c' }, 'signicat_client_secret is not set'],
    [sigsciProvider, { email: 'a@example.com', token: 't' }, 'sigsci_corp is not set'],
    [silobreakerProvider, {}, 'silobreaker_username is not set'],
    [threatJammerProvider, {}, 'threatjammer_api_key is not set'],
  ] as const)('%#: the vendor names the missing setting', (provider, settings, message) => {
    const err = refusal(() => provider.createClient(settings, silentLogger));
    expect(err.code).toBe(APIACCESS_CONFIG_MISSING);
    expect(err.message).toContain(message);
  });
});
