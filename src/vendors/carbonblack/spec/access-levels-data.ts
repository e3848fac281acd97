/** Spec of the data source `apiaccess_carbonblack_access_levels`: the org's custom access levels. */
import { defineDataSource, nonEmptyString, resultList } from '../../../spec';

export const accessLevelsDataSpec = defineDataSource({
  typeName: 'apiaccess_carbonblack_access_levels',
  description: "Lists the Carbon Black org's custom access levels and their permissions, e.g. to find the custom_access_level_id of a CUSTOM key.",
  attributes: {
    permission: {
      type: 'string',
      optional: true,
      description: 'Only levels that hold this permission, e.g. org.api_keys. Default: every level.',
      validators: [nonEmptyString(200)],
    },
    access_levels: resultList(
      { id: 'number', name: 'string', permissions: ['list', 'string'] },
      'The custom access levels, ordered by ID: id, name and permissions (sorted, e.g. org.api_keys).',
    ),
  },
  docs: {
    hcl: `data "apiaccess_carbonblack_access_levels" "all" {}

resource "apiaccess_carbonblack_api_key" "auditor" {
  name                   = "auditor"
  access_level           = "CUSTOM"
  custom_access_level_id = one([for l in data.apiaccess_carbonblack_access_levels.all.access_levels : l.id if l.name == "Auditor"])
}`,
    typescript: `const levels = new DataCarbonblackAccessLevels(stack, 'all', {});
const keyAdmins = new DataCarbonblackAccessLevels(stack, 'key-admins', { permission: 'org.api_keys' });
new TerraformOutput(stack, 'access_levels', { value: levels.accessLevels });
new TerraformOutput(stack, 'key_admin_levels', { value: keyAdmins.accessLevels });`,
  },
});
