/** The Carbon Black data sources: vendor reads only; schema and validation follow from their specs. */
import { dataSourceFromSpec } from '../../../provider/framework/other-types';
import { startingWith } from '../../../spec';
import type { CarbonBlackClient } from '../client';
import { accessLevelsDataSpec } from '../spec/access-levels-data';
import { apiKeysDataSpec } from '../spec/api-keys-data';

/** Data source apiaccess_carbonblack_api_keys: never a secret (the list route has none). */
export const apiKeysDataSource = dataSourceFromSpec<CarbonBlackClient, typeof apiKeysDataSpec.attributes>(apiKeysDataSpec, {
  async read(config, ctx) {
    const ofLevel = (await ctx.client.listApiKeys(ctx.signal)).filter((k) => config.access_level === null || k.access_level_type === config.access_level);
    const keys = startingWith(ofLevel, config.name_prefix, (k) => [k.name, k.api_id]).map((k) => ({
      api_id: k.api_id,
      name: k.name,
      description: k.description,
      access_level: k.access_level_type,
      custom_access_level_id: k.custom_access_level_id as number,
      allowed_ip_addresses: [...k.allowed_ip_addresses].sort(),
      created: k.create_time,
      updated: k.update_time,
    }));
    return { keys };
  },
});

/** Data source apiaccess_carbonblack_access_levels. */
export const accessLevelsDataSource = dataSourceFromSpec<CarbonBlackClient, typeof accessLevelsDataSpec.attributes>(accessLevelsDataSpec, {
  async read(config, ctx) {
    const levels = (await ctx.client.listAccessLevels(ctx.signal)).filter((l) => config.permission === null || l.permissions.includes(config.permission));
    return { access_levels: levels.sort((a, b) => a.id - b.id).map((l) => ({ id: l.id, name: l.name, permissions: [...l.permissions].sort() })) };
  },
});
