/** Signicat's part of the provider: its settings, its client and its resources. */
import type { VendorProvider } from '../../provider/framework/provider';
import { requiredSetting } from '../required-setting';
import type { SignicatClient } from './client';
import { SEED_ACCOUNT_ID, SEED_CLIENT_ID, SEED_CLIENT_SECRET } from './emulator/state';
import { settingsFromSpec } from '../../provider/framework/spec-resource';
import { accessTokenEphemeral } from './handlers/access-token';
import { apiClientHandler } from './handlers/api-client';
import { clientSecretHandler } from './handlers/client-secret';
import { apiClientDataSource, apiClientsDataSource } from './handlers/data-sources';
import { SIGNICAT_DEFAULT_BASE_URL, signicatSettingsSpec } from './spec/settings';

/**
 * Loads the client (and with it undici and oauth4webapi) only when a resource needs it: most
 * provider processes Terraform starts only validate, and startup time is paid 2-5 times a command.
 */
function loadClient(): typeof import('./client') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./client') as typeof import('./client');
}

const required = requiredSetting('signicat');

export const signicatProvider: VendorProvider<SignicatClient> = {
  name: 'signicat',
  settings: settingsFromSpec(signicatSettingsSpec),
  credentials: ['client_id', 'client_secret'],
  endpoint: 'base_url',
  sandboxSettings: (sandboxUrl) => ({
    base_url: `${sandboxUrl}/signicat`,
    client_id: SEED_CLIENT_ID,
    client_secret: SEED_CLIENT_SECRET,
    account_id: SEED_ACCOUNT_ID,
  }),
  createClient: (settings) =>
    new (loadClient().SignicatClient)({
      baseUrl: settings.base_url ?? SIGNICAT_DEFAULT_BASE_URL,
      clientId: required(settings, 'client_id'),
      clientSecret: required(settings, 'client_secret'),
      accountId: required(settings, 'account_id'),
    }),
  // A token request proves the managing client's ID and secret; it changes nothing at Signicat.
  verifyCredentials: async (client, signal) => {
    await client.tokens.getToken(signal);
  },
  resources: [apiClientHandler, clientSecretHandler],
  dataSources: [apiClientDataSource, apiClientsDataSource],
  ephemeralResources: [accessTokenEphemeral],
};
