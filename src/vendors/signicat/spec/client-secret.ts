/** Spec of `apiaccess_signicat_client_secret`. */
import { defineResource, nonEmptyString, rotationPeriod, shownOnceSecret } from '../../../spec';

export const clientSecretSpec = defineResource({
  typeName: 'apiaccess_signicat_client_secret',
  version: 0,
  description: 'A secret of a Signicat API client. The value is shown by Signicat only once and is kept in state as a sensitive value.',
  attributes: {
    id: { type: 'string', computed: true, output: false, description: "The secret's address: <client_id>/<secret_id>." },
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
      validators: [nonEmptyString(100, 'a name')],
    },
    rotation_period: rotationPeriod(),
    secret_id: { type: 'string', computed: true, vendorField: 'id', description: 'The ID Signicat gave the secret.' },
    value: shownOnceSecret('The secret itself. Empty after import: Signicat never shows it again.', 'secret'),
    created_at: { type: 'string', computed: true, vendorField: 'createdAt', description: 'When the secret was created (RFC 3339).' },
  },
  rotation: { createdAt: 'created_at' },
  importId: { format: '{client_id}/{secret_id}', example: 'sandbox-round-apple-123/3f9c2a71' },
  docs: {
    hcl: `resource "apiaccess_signicat_client_secret" "pipeline" {
  client_id       = apiaccess_signicat_api_client.backend.id
  name            = "pipeline"
  rotation_period = "720h"

  # Signicat lets a client hold several secrets: the new one exists before the old one goes.
  lifecycle {
    create_before_destroy = true
  }
}`,
    typescript: `const secret = new SignicatClientSecret(stack, 'pipeline', {
  clientId: backend.clientId,
  name: 'pipeline',
  rotationPeriod: '720h',
  lifecycle: { createBeforeDestroy: true },
});
new TerraformOutput(stack, 'client_secret', { value: secret.value, sensitive: true });`,
  },
});
