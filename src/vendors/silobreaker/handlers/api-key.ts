/**
 * `apiaccess_silobreaker_api_key`: the vendor calls. Silobreaker shows the shared key once, at
 * creation; the framework keeps it from prior state (`showOnce`). There is no update route: the
 * only argument (description) forces replacement, and rotation_period is kept by the framework.
 */
import { resourceFromSpec } from '../../../provider/framework/spec-resource';
import type { SilobreakerClient } from '../client';
import { apiKeySpec } from '../spec/api-key';
import type { ApiKeyInfo } from '../types';

const toState = (k: ApiKeyInfo) => ({ id: k.ApiKey, api_key: k.ApiKey, description: k.Description, created: k.Created });

/** Handler of apiaccess_silobreaker_api_key. */
export const apiKeyHandler = resourceFromSpec<SilobreakerClient, typeof apiKeySpec.attributes>(apiKeySpec, {
  async create(config, ctx) {
    const k = await ctx.createOnce(
      `"${config.description}"`,
      (key) => ctx.client.createApiKey({ Description: config.description }, ctx.signal, key),
      (x) => x.ApiKey,
    );
    return { ...toState(k), shared_key: k.SharedKey };
  },

  async read(state, ctx) {
    const k = await ctx.client.getApiKey(state.api_key ?? state.id!, ctx.signal);
    return k ? toState(k) : null;
  },

  // Batched refresh: one list per provider process serves every key's read (there is no single-key route anyway).
  async list(_state, ctx) {
    return (await ctx.client.listApiKeys(ctx.signal)).map(toState);
  },

  async delete(state, ctx) {
    await ctx.client.deleteApiKey(state.api_key ?? state.id!, ctx.signal);
  },
});
