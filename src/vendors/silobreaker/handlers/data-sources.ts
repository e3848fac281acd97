/** The Silobreaker data sources: vendor reads only; schema and validation follow from their specs. */
import { dataSourceFromSpec } from '../../../provider/framework/other-types';
import type { SilobreakerClient } from '../client';
import { apiKeysDataSpec } from '../spec/api-keys-data';

/** Data source apiaccess_silobreaker_api_keys. */
export const apiKeysDataSource = dataSourceFromSpec<SilobreakerClient, typeof apiKeysDataSpec.attributes>(apiKeysDataSpec, {
  async read(config, ctx) {
    const prefix = config.description_prefix ?? '';
    const keys = (await ctx.client.listApiKeys(ctx.signal))
      .filter((k) => k.Description.startsWith(prefix))
      .sort((a, b) => a.Description.localeCompare(b.Description) || a.ApiKey.localeCompare(b.ApiKey))
      .map((k) => ({ api_key: k.ApiKey, description: k.Description, created: k.Created }));
    return { keys };
  },
});
