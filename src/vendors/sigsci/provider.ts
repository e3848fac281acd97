/** Signal Sciences' part of the provider: its settings, its client and its resources. */
import { APIACCESS_UNAUTHORIZED, ApiAccessError } from '../../core/errors';
import type { VendorProvider } from '../../provider/framework/provider';
import { requiredSetting } from '../required-setting';
import { settingsFromSpec } from '../../provider/framework/spec-resource';
import type { SigSciClient } from './client';
import { SEED_CORP, SEED_OWNER_EMAIL, SEED_OWNER_TOKEN } from './emulator/state';
import { apiTokenHandler } from './handlers/api-token';
import { apiTokensDataSource, corpUsersDataSource } from './handlers/data-sources';
import { tokenSettingsHandler } from './handlers/token-settings';
import { userTokenAccessHandler } from './handlers/user-token-access';
import { SIGSCI_DEFAULT_BASE_URL, sigsciSettingsSpec } from './spec/settings';

/** Loads the client (and undici with it) only when a resource needs it. */
function loadClient(): typeof import('./client') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./client') as typeof import('./client');
}

function loadDispatcher(): typeof import('../../auth/compose') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../../auth/compose') as typeof import('../../auth/compose');
}

const required = requiredSetting('sigsci');

export const sigsciProvider: VendorProvider<SigSciClient> = {
  name: 'sigsci',
  settings: settingsFromSpec(sigsciSettingsSpec),
  credentials: ['email', 'token'],
  endpoint: 'base_url',
  sandboxSettings: (sandboxUrl) => ({
    base_url: `${sandboxUrl}/sigsci`,
    email: SEED_OWNER_EMAIL,
    token: SEED_OWNER_TOKEN,
    corp: SEED_CORP,
  }),
  createClient: (settings, logger) =>
    new (loadClient().SigSciClient)({
      baseUrl: settings.base_url ?? SIGSCI_DEFAULT_BASE_URL,
      email: required(settings, 'email'),
      accessToken: required(settings, 'token'),
      corpName: required(settings, 'corp'),
      dispatcher: loadDispatcher().createDefaultDispatcher(),
      logger,
    }),
  // Reading the corp proves the x-api-user / x-api-token pair and the corp name; it changes nothing.
  verifyCredentials: async (client, signal) => {
    await client.getCorp(signal).catch((err: unknown) => {
      if (ApiAccessError.isApiAccessError(err) && err.code === APIACCESS_UNAUTHORIZED && !err.field) {
        Object.defineProperty(err, 'field', { value: 'token', enumerable: true });
      }
      throw err;
    });
  },
  resources: [apiTokenHandler, tokenSettingsHandler, userTokenAccessHandler],
  dataSources: [apiTokensDataSource, corpUsersDataSource],
};
