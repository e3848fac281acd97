/** The Signicat data sources: vendor reads only; schema and validation follow from their specs. */
import { APIACCESS_NOT_FOUND, ApiAccessError } from '../../../core/errors';
import { dataSourceFromSpec } from '../../../provider/framework/other-types';
import { startingWith } from '../../../spec';
import type { SignicatClient } from '../client';
import { apiClientDataSpec } from '../spec/api-client-data';
import { apiClientsDataSpec } from '../spec/api-clients-data';
import type { ApiClient } from '../types';

const summary = (c: ApiClient) => ({
  id: c.id,
  name: c.name,
  permissions: [...c.permissions].sort(),
  access_token_lifetime: c.accessTokenLifetime,
  created_at: c.createdAt,
  secret_count: c.secrets.length,
});

/** Data source apiaccess_signicat_api_client. */
export const apiClientDataSource = dataSourceFromSpec<SignicatClient, typeof apiClientDataSpec.attributes>(apiClientDataSpec, {
  async read(config, ctx) {
    const c = await ctx.client.getApiClient(config.id, ctx.signal);
    if (!c) throw new ApiAccessError(APIACCESS_NOT_FOUND, `Signicat has no API client "${config.id}" in this account`, { field: 'id' });
    return { ...summary(c), account_id: c.accountId };
  },
});

/** Data source apiaccess_signicat_api_clients. */
export const apiClientsDataSource = dataSourceFromSpec<SignicatClient, typeof apiClientsDataSpec.attributes>(apiClientsDataSpec, {
  async read(config, ctx) {
    const all = await ctx.client.listApiClients(ctx.signal);
    return { clients: startingWith(all, config.name_prefix, (c) => [c.name, c.id]).map(summary) };
  },
});
