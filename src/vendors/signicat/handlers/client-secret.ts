/**
 * `apiaccess_signicat_client_secret`: a secret of an API client. Signicat shows the value once, at
 * creation; it is kept in state as a sensitive value. Any change replaces the secret. After
 * `terraform import` the value stays empty, because the vendor never shows it again.
 */
import { APIACCESS_INVALID_ARGUMENT, APIACCESS_NOT_FOUND, ApiAccessError } from '../../../core/errors';
import type { ObjectValue, ResourceContext, ResourceHandler } from '../../../provider/framework/resource';
import { nonEmptyString } from '../../../provider/framework/validators';
import type { SignicatClient } from '../client';
import { withAttribute } from './errors';

/** Handler of apiaccess_signicat_client_secret. */
export class ClientSecretHandler implements ResourceHandler<SignicatClient> {
  readonly typeName = 'apiaccess_signicat_client_secret';
  readonly schema = {
    version: 0,
    description: 'A secret of a Signicat API client. The value is shown by Signicat only once and is kept in state as a sensitive value.',
    attributes: {
      id: { type: 'string', computed: true, description: "The secret's address: <client_id>/<secret_id>." },
      client_id: {
        type: 'string',
        required: true,
        requiresReplace: true,
        description: 'ID of the API client this secret belongs to.',
        validators: [nonEmptyString(200)],
      },
      name: {
        type: 'string',
        optional: true,
        requiresReplace: true,
        description: 'Optional name of the secret (1-100 characters).',
        validators: [nonEmptyString(100)],
      },
      secret_id: { type: 'string', computed: true, description: 'The ID Signicat gave the secret.' },
      value: { type: 'string', computed: true, sensitive: true, description: 'The secret itself. Empty after import: Signicat never shows it again.' },
      created_at: { type: 'string', computed: true, description: 'When the secret was created (RFC 3339).' },
    },
  } as const;

  async create(req: { planned: ObjectValue }, ctx: ResourceContext<SignicatClient>): Promise<ObjectValue> {
    const clientId = req.planned.client_id as string;
    const name = (req.planned.name as string | null) ?? null;
    const s = await ctx
      .createOnce(
        name === null ? `of client "${clientId}"` : `"${name}" of client "${clientId}"`,
        (key) => ctx.client.createSecret(clientId, name, ctx.signal, key),
        (x) => `${clientId}/${x.id}`,
      )
      .catch(withAttribute);
    return { id: `${clientId}/${s.id}`, client_id: clientId, name: s.name ?? null, secret_id: s.id, value: s.secret, created_at: s.createdAt };
  }

  async read(req: { state: ObjectValue }, ctx: ResourceContext<SignicatClient>): Promise<ObjectValue | null> {
    const clientId = String(req.state.client_id);
    const secretId = String(req.state.secret_id);
    let secrets;
    try {
      secrets = await ctx.client.listSecrets(clientId, ctx.signal);
    } catch (err) {
      if (ApiAccessError.isApiAccessError(err) && err.code === APIACCESS_NOT_FOUND) return null;
      throw err;
    }
    const s = secrets.find((x) => x.id === secretId);
    if (!s) return null;
    return {
      ...req.state,
      id: `${clientId}/${s.id}`,
      client_id: clientId,
      name: s.name ?? null,
      secret_id: s.id,
      created_at: s.createdAt,
      value: req.state.value ?? null,
    };
  }

  async update(req: { planned: ObjectValue }): Promise<ObjectValue> {
    // Every configurable attribute requires replacement; nothing changes in place.
    return req.planned;
  }

  async delete(req: { state: ObjectValue }, ctx: ResourceContext<SignicatClient>): Promise<void> {
    await ctx.client.deleteSecret(String(req.state.client_id), String(req.state.secret_id), ctx.signal);
  }

  async importState(req: { id: string }): Promise<ObjectValue> {
    const m = /^([^/\s]+)\/([^/\s]+)$/.exec(req.id.trim());
    if (!m) {
      throw new ApiAccessError(
        APIACCESS_INVALID_ARGUMENT,
        `"${req.id}" is not a secret address; import a secret as <client_id>/<secret_id>, e.g. sandbox-round-apple-123/3f9c…`,
      );
    }
    return { id: `${m[1]}/${m[2]}`, client_id: m[1]!, secret_id: m[2]!, value: null };
  }
}
