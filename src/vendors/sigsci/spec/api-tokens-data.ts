/** Spec of the data source `apiaccess_sigsci_api_tokens`: every API access token of the corp (the owner's table). */
import { defineDataSource, resultList } from '../../../spec';
import { email, oneOf } from './validators';

export const apiTokensDataSpec = defineDataSource({
  typeName: 'apiaccess_sigsci_api_tokens',
  description:
    "Lists the API access tokens of every user of the corp, as owners see them under Corp Manage > API access tokens (never their values). Needs an owner's token.",
  attributes: {
    status: {
      type: 'string',
      optional: true,
      description: 'Only tokens with this status: active, expired or disabled. Default: every token.',
      validators: [oneOf(['active', 'expired', 'disabled'])],
    },
    created_by: {
      type: 'string',
      optional: true,
      description: 'Only tokens of the user with this e-mail address. Default: every user.',
      validators: [email()],
    },
    tokens: resultList(
      {
        id: 'string',
        name: 'string',
        created_by: 'string',
        status: 'string',
        created: 'string',
        expires: 'string',
        last_used: 'string',
        last_used_ip: 'string',
      },
      'The tokens, ordered by creator then name: id, name, created_by (createdBy), status, created, expires (empty when they do not expire), last_used (lastUsed, empty when never) and last_used_ip (lastUsedIP).',
    ),
  },
  docs: {
    hcl: `data "apiaccess_sigsci_api_tokens" "expired" {
  status = "expired"
}

output "expired_tokens" {
  value = [for t in data.apiaccess_sigsci_api_tokens.expired.tokens : "\${t.created_by}: \${t.name}"]
}`,
    typescript: `const expired = new DataSigsciApiTokens(stack, 'expired', { status: 'expired' });
new TerraformOutput(stack, 'expired_tokens', { value: expired.tokens });`,
  },
});
