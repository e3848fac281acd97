/**
 * `apiaccess_signicat_client_secret`: the vendor calls. Signicat shows the value once, at creation;
 * the framework keeps it from prior state (`showOnce`) and parses `<client_id>/<secret_id>` imports.
 * Every argument forces replacement (rotation_period is kept by the framework), so there is no update.
 */
import { APIACCESS_NOT_FOUND, ApiAccessError } from '../../../core/errors';
import { resourceFromSpec } from '../../../provider/framework/spec-resource';
import type { SignicatClient } from '../client';
import { clientSecretSpec } from '../spec/client-secret';
import type { SecretMetadata } from '../types';

const toState = (clientId: string, s: SecretMetadata) => ({
  id: `${clientId}/${s.id}`,
  client_id: clientId,
  name: s.name ?? null,
  secret_id: s.id,
  created_at: s.createdAt,
});

/** Handler of apiaccess_signicat_client_secret. */
export const clientSecretHandler = resourceFromSpec<SignicatClient, typeof clientSecretSpec.attributes>(clientSecretSpec, {
  async create(config, ctx) {
    const what = config.name === null ? `of client "${config.client_id}"` : `"${config.name}" of client "${config.client_id}"`;
    const s = await ctx.createOnce(
      what,
      (key) => ctx.client.createSecret(config.client_id, config.name, ctx.signal, key),
      (x) => `${config.client_id}/${x.id}`,
    );
    return { ...toState(config.client_id, s), value: s.secret };
  },

  async read(state, ctx) {
    const secrets = await ctx.client.listSecrets(state.client_id, ctx.signal).catch((err: unknown) => {
      if (ApiAccessError.isApiAccessError(err) && err.code === APIACCESS_NOT_FOUND) return [];
      throw err;
    });
    const s = secrets.find((x) => x.id === state.secret_id);
    return s ? toState(state.client_id, s) : null;
  },

  async list(state, ctx) {
    return (await ctx.client.listSecrets(state.client_id, ctx.signal)).map((s) => toState(state.client_id, s));
  },
  listScope: (state) => state.client_id,

  async delete(state, ctx) {
    await ctx.client.deleteSecret(state.client_id, state.secret_id!, ctx.signal);
  },
});
