/** The Silobreaker data sources: vendor reads only; schema and validation follow from their specs. */
import { dataSourceFromSpec } from '../../../provider/framework/other-types';
import { startingWith } from '../../../spec';
import type { SilobreakerClient } from '../client';
import { apiKeysDataSpec } from '../spec/api-keys-data';

/** Data source apiaccess_silobreaker_api_keys. */
export const apiKeysDataSource = dataSourceFromSpec<SilobreakerClient, typeof apiKeysDataSpec.attributes>(apiKeysDataSpec, {
  async read(config, ctx) {
    const all = await ctx.client.listApiKeys(ctx.signal);
    const keys = startingWith(all, config.description_prefix, (k) => [k.Description, k.ApiKey]);
    return { keys: keys.map((k) => ({ api_key: k.ApiKey, description: k.Description, created: k.Created })) };
  },
});
