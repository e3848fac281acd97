/** Threat Jammer's part of the provider: its settings, its client and its resources. */
import { APIACCESS_INVALID_ARGUMENT, ApiAccessError } from '../../core/errors';
import type { VendorProvider, VendorSettings } from '../../provider/framework/provider';
import { requiredSetting } from '../required-setting';
import { settingsFromSpec } from '../../provider/framework/spec-resource';
import type { ThreatJammerClient } from './client';
import { SEED_API_KEY } from './emulator/state';
import { apiKeyHandler } from './handlers/api-key';
import { keyActivityDataSource, quotaDataSource } from './handlers/data-sources';
import { keyRefused } from './handlers/key-errors';
import { keyProblem } from './spec/key-format';
import { THREATJAMMER_DEFAULT_REGION, threatJammerHost, threatJammerSettingsSpec } from './spec/settings';

/** Loads the client (and with it undici) only when a resource needs it: most provider processes only validate. */
function loadClient(): typeof import('./client') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./client') as typeof import('./client');
}

const required = requiredSetting('threatjammer');

/** The key from the settings, its shape checked before anything is sent (position and length, never the key). */
function apiKeyOf(settings: VendorSettings): string {
  const key = required(settings, 'api_key');
  const problem = keyProblem(key);
  if (problem) throw new ApiAccessError(APIACCESS_INVALID_ARGUMENT, `threatjammer_api_key ${problem}`, { field: 'api_key' });
  return key;
}

export const threatJammerProvider: VendorProvider<ThreatJammerClient> = {
  name: 'threatjammer',
  settings: settingsFromSpec(threatJammerSettingsSpec),
  credentials: ['api_key'],
  endpoint: 'base_url',
  sandboxSettings: (sandboxUrl) => ({ base_url: `${sandboxUrl}/threatjammer`, api_key: SEED_API_KEY }),
  createClient: (settings, logger) =>
    new (loadClient().ThreatJammerClient)({
      apiKey: apiKeyOf(settings),
      baseUrl: settings.base_url ?? threatJammerHost(settings.region ?? THREATJAMMER_DEFAULT_REGION),
      // The per-minute bucket is one per key for every provider process of a run (Terraform starts several).
      sharedBudget: { logger },
    }),
  // GET /v1/token proves the key, and answers for a disabled key too (so `enabled` drift can be planned). One call per process.
  verifyCredentials: async (client, signal) => {
    await client.readToken(signal).catch((err: unknown) => {
      throw keyRefused(err);
    });
  },
  resources: [apiKeyHandler],
  dataSources: [quotaDataSource, keyActivityDataSource],
};
