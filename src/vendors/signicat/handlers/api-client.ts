/** `apiaccess_signicat_api_client`: the vendor calls. Schema, validation and diffing follow from {@link apiClientSpec}. */
import { resourceFromSpec, type ReadModel } from '../../../provider/framework/spec-resource';
import type { SignicatClient } from '../client';
import { apiClientSpec } from '../spec/api-client';
import type { ApiClient } from '../types';

type State = ReadModel<typeof apiClientSpec.attributes>;

function toState(c: ApiClient): State {
  const { id, name, accountId, accessTokenLifetime, createdAt } = c;
  return { id, name, permissions: [...c.permissions], access_token_lifetime: accessTokenLifetime, account_id: accountId, created_at: createdAt };
}

/** Handler of apiaccess_signicat_api_client. */
export const apiClientHandler = resourceFromSpec<SignicatClient, typeof apiClientSpec.attributes>(apiClientSpec, {
  async create(config, ctx) {
    const created = await ctx.client.createApiClient({ name: config.name, accessTokenLifetime: config.access_token_lifetime }, ctx.signal);
    if (config.permissions.length === 0) return toState(created);
    try {
      return toState(await ctx.client.setPermissions(created.id, config.permissions, ctx.signal));
    } catch (err) {
      // The client exists: record it (Terraform marks it tainted) and say why.
      const message = err instanceof Error ? err.message : String(err);
      ctx.diagnostics.error('Permissions Not Granted', `API client "${created.id}" was created, but its permissions could not be set: ${message}`, [
        'permissions',
      ]);
      return toState(created);
    }
  },

  async read(state, ctx) {
    const c = await ctx.client.getApiClient(state.id!, ctx.signal);
    return c ? toState(c) : null;
  },

  async update(state, patch, ctx) {
    const id = state.id!;
    let current: ApiClient | null = null;
    if (patch.name !== undefined || patch.access_token_lifetime !== undefined) {
      current = await ctx.client.updateApiClient(id, { name: patch.name, accessTokenLifetime: patch.access_token_lifetime }, ctx.signal);
    }
    if (patch.permissions !== undefined) current = await ctx.client.setPermissions(id, [...patch.permissions].sort(), ctx.signal);
    current ??= await ctx.client.getApiClient(id, ctx.signal);
    if (!current) throw new Error(`API client "${id}" no longer exists`);
    return toState(current);
  },

  async delete(state, ctx) {
    await ctx.client.deleteApiClient(state.id!, ctx.signal);
  },
});
