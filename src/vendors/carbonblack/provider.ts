/** Carbon Black's part of the provider: its settings, its client and its resources. */
import type { VendorProvider } from '../../provider/framework/provider';
import { requiredSetting } from '../required-setting';
import { settingsFromSpec } from '../../provider/framework/spec-resource';
import type { CarbonBlackClient } from './client';
import { SEED_KEY_ADMIN_KEY, SEED_ORG_KEY } from './emulator/state';
import { apiKeyHandler } from './handlers/api-key';
import { accessLevelsDataSource, apiKeysDataSource } from './handlers/data-sources';
import { carbonBlackSettingsSpec } from './spec/settings';

/** Loads the client (and undici) only when a resource needs it: most provider processes only validate. */
function load(): { client: typeof import('./client'); budget: typeof import('./budget') } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return { client: require('./client') as typeof import('./client'), budget: require('./budget') as typeof import('./budget') };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

const required = requiredSetting('carbonblack');

export const carbonBlackProvider: VendorProvider<CarbonBlackClient> = {
  name: 'carbonblack',
  settings: settingsFromSpec(carbonBlackSettingsSpec),
  credentials: ['api_id', 'api_secret_key'],
  endpoint: 'base_url',
  // The seeded key that may manage keys: the CUSTOM "sandbox key admin" (the API, SIEM and Live Response keys get 401 on the v6 routes).
  sandboxSettings: (sandboxUrl) => ({
    base_url: `${sandboxUrl}/carbonblack`,
    org_key: SEED_ORG_KEY,
    api_id: SEED_KEY_ADMIN_KEY.apiId,
    api_secret_key: SEED_KEY_ADMIN_KEY.apiSecretKey,
  }),
  createClient: (settings, logger) => {
    const { client, budget } = load();
    const apiId = required(settings, 'api_id', 'give the API ID of a CUSTOM key that may manage API keys.');
    const baseUrl = required(settings, 'base_url', "give the API host of the org's environment, e.g. https://defense.conferdeploy.net.");
    return new client.CarbonBlackClient({
      baseUrl,
      orgKey: required(settings, 'org_key', 'give the org key, e.g. ABCD1234.'),
      apiId,
      apiSecretKey: required(settings, 'api_secret_key', 'give the API Secret Key of the managing key.'),
      limiter: budget.managingKeyLimiter(apiId, logger, baseUrl),
      logger,
    });
  },
  // Listing the keys proves the pair, the access level and the IP allow-list; it changes nothing.
  verifyCredentials: async (client, signal) => {
    await client.listApiKeys(signal);
  },
  resources: [apiKeyHandler],
  dataSources: [apiKeysDataSource, accessLevelsDataSource],
};
