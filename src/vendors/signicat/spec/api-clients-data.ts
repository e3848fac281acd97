/** Spec of the data source `apiaccess_signicat_api_clients`: every API client of the account. */
import { defineDataSource, prefixFilter, resultList } from '../../../spec';

export const apiClientsDataSpec = defineDataSource({
  typeName: 'apiaccess_signicat_api_clients',
  description: 'Lists the Signicat API clients of the account, optionally only those whose name starts with a prefix.',
  attributes: {
    name_prefix: prefixFilter({ items: 'clients', item: 'client', field: 'name', maxLength: 100 }),
    clients: resultList(
      { id: 'string', name: 'string', permissions: ['list', 'string'], access_token_lifetime: 'number', created_at: 'string', secret_count: 'number' },
      'The clients, ordered by name then ID: id (the client ID), name, permissions (sorted), access_token_lifetime (seconds), created_at (RFC 3339) and secret_count.',
    ),
  },
  docs: {
    hcl: `data "apiaccess_signicat_api_clients" "pipelines" {
  name_prefix = "pipeline-"
}

output "pipeline_client_ids" {
  value = data.apiaccess_signicat_api_clients.pipelines.clients[*].id
}`,
    typescript: `const pipelines = new DataSignicatApiClients(stack, 'pipelines', { namePrefix: 'pipeline-' });
new TerraformOutput(stack, 'pipeline_clients', { value: pipelines.clients });`,
  },
});
