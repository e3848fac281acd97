/** The Signal Sciences data sources: vendor reads only; schema and validation follow from their specs. */
import { dataSourceFromSpec } from '../../../provider/framework/other-types';
import type { SigSciClient } from '../client';
import { apiTokensDataSpec } from '../spec/api-tokens-data';
import { corpUsersDataSpec } from '../spec/corp-users-data';

/** Data source apiaccess_sigsci_api_tokens. */
export const apiTokensDataSource = dataSourceFromSpec<SigSciClient, typeof apiTokensDataSpec.attributes>(apiTokensDataSpec, {
  async read(config, ctx) {
    const by = config.created_by?.toLowerCase();
    const tokens = (await ctx.client.listCorpTokens(ctx.signal))
      .filter((t) => (config.status === null || t.status === config.status) && (by === undefined || t.createdBy.toLowerCase() === by))
      .sort((a, b) => a.createdBy.localeCompare(b.createdBy) || a.name.localeCompare(b.name))
      .map((t) => ({
        id: t.id,
        name: t.name,
        created_by: t.createdBy,
        status: t.status,
        created: t.created,
        expires: t.expires,
        last_used: t.lastUsed,
        last_used_ip: t.lastUsedIP,
      }));
    return { tokens };
  },
});

/** Data source apiaccess_sigsci_corp_users. */
export const corpUsersDataSource = dataSourceFromSpec<SigSciClient, typeof corpUsersDataSpec.attributes>(corpUsersDataSpec, {
  async read(config, ctx) {
    const users = (await ctx.client.listUsers(ctx.signal))
      .filter((u) => config.role === null || u.role === config.role)
      .sort((a, b) => a.email.localeCompare(b.email))
      .map((u) => ({ email: u.email, name: u.name, role: u.role, access_token_allowed: u.accessTokenAllowed }));
    return { users };
  },
});
