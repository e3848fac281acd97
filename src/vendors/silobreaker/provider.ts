/** Silobreaker's part of the provider: its settings, its client, its resources, data sources and function. */
import { APIACCESS_LOGIN_DELAYED, APIACCESS_UNAUTHORIZED, ApiAccessError } from '../../core/errors';
import type { VendorProvider } from '../../provider/framework/provider';
import { requiredSetting } from '../required-setting';
import { settingsFromSpec } from '../../provider/framework/spec-resource';
import type { SilobreakerClient } from './client';
import { SEED_PASSWORD, SEED_USERNAME } from './emulator/state';
import { apiKeyHandler } from './handlers/api-key';
import { apiKeysDataSource } from './handlers/data-sources';
import { passwordHandler } from './handlers/password';
import { signedUrlFunction } from './handlers/signed-url';
import { SILOBREAKER_DEFAULT_BASE_URL, silobreakerSettingsSpec } from './spec/settings';

/** Loads the client (and undici) only when a resource needs it: most provider processes only validate. */
function loadClient(): typeof import('./client') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./client') as typeof import('./client');
}

const required = requiredSetting('silobreaker');

/**
 * A login that ends in `Delay` means a wrong user name or password (or a login tried too early):
 * the credentials were refused. The remaining delay is part of the message.
 */
export function asRefusedLogin(err: unknown): unknown {
  if (!ApiAccessError.isApiAccessError(err) || err.code !== APIACCESS_LOGIN_DELAYED) return err;
  return new ApiAccessError(APIACCESS_UNAUTHORIZED, err.message, { field: 'password', retryAfterSeconds: err.retryAfterSeconds, cause: err });
}

export const silobreakerProvider: VendorProvider<SilobreakerClient> = {
  name: 'silobreaker',
  settings: settingsFromSpec(silobreakerSettingsSpec),
  credentials: ['username', 'password'],
  endpoint: 'base_url',
  sandboxSettings: (sandboxUrl) => ({ base_url: `${sandboxUrl}/silobreaker`, username: SEED_USERNAME, password: SEED_PASSWORD }),
  createClient: (settings) =>
    new (loadClient().SilobreakerClient)({
      baseUrl: settings.base_url ?? SILOBREAKER_DEFAULT_BASE_URL,
      username: required(settings, 'username'),
      password: required(settings, 'password'),
    }),
  // One login proves the user and password; it changes nothing but the session.
  verifyCredentials: async (client, signal) => {
    await client.login(signal).catch((err: unknown) => {
      throw asRefusedLogin(err);
    });
  },
  resources: [apiKeyHandler, passwordHandler],
  dataSources: [apiKeysDataSource],
  functions: [signedUrlFunction],
};
