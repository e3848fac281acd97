/** Spec of the data source `apiaccess_sigsci_corp_users`: the users of the corp and their token permission. */
import { defineDataSource, resultList } from '../../../spec';
import { oneOf } from './validators';

export const corpUsersDataSpec = defineDataSource({
  typeName: 'apiaccess_sigsci_corp_users',
  description: 'Lists the users of the corp with their role and whether they may create and use API access tokens.',
  attributes: {
    role: {
      type: 'string',
      optional: true,
      description: 'Only users with this corp role: owner, admin, user or observer. Default: every user.',
      validators: [oneOf(['owner', 'admin', 'user', 'observer'])],
    },
    users: resultList(
      { email: 'string', name: 'string', role: 'string', access_token_allowed: 'bool' },
      'The users, ordered by e-mail: email, name, role (owner, admin, user or observer) and access_token_allowed (accessTokenAllowed, "Allow this user to create API access tokens").',
    ),
  },
  docs: {
    hcl: `data "apiaccess_sigsci_corp_users" "all" {}

data "apiaccess_sigsci_corp_users" "owners" {
  role = "owner"
}

output "token_users" {
  value = [for u in data.apiaccess_sigsci_corp_users.all.users : u.email if u.access_token_allowed]
}`,
    typescript: `const users = new DataSigsciCorpUsers(stack, 'all', {});
new TerraformOutput(stack, 'users', { value: users.users });`,
  },
});
