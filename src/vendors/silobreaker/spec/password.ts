/** Spec of `apiaccess_silobreaker_password`. */
import { defineResource, maxLength, type Validator } from '../../../spec';

/** Silobreaker's password policy as the sandbox knows it: at least 8 characters (PROPOSED; the vendor does not document one). */
export const MIN_PASSWORD_LENGTH = 8;

const passwordPolicy: Validator = (v) =>
  typeof v === 'string' && v.length < MIN_PASSWORD_LENGTH
    ? `is ${v.length} characters long; Silobreaker needs a password of at least ${MIN_PASSWORD_LENGTH} characters.`
    : undefined;

export const passwordSpec = defineResource({
  typeName: 'apiaccess_silobreaker_password',
  version: 0,
  description:
    "Rotates the password of the provider's Silobreaker user (silobreaker_username) through Silobreaker's changepassword call. The new password is a write-only attribute (Terraform 1.11 or later): it is used once and never stored in plan or state. Bump password_wo_version to set password_wo again. Destroying the resource changes nothing at Silobreaker.",
  attributes: {
    id: { type: 'string', computed: true, output: false, description: 'The user whose password this manages (silobreaker_username).' },
    password_wo: {
      type: 'string',
      required: true,
      sensitive: true,
      writeOnly: true,
      vendorField: 'NewPassword',
      description: `The new password (Silobreaker "NewPassword", at least ${MIN_PASSWORD_LENGTH} characters). Write-only: never in plan or state; feed it from an ephemeral value or a sensitive variable.`,
      validators: [passwordPolicy, maxLength(256)],
    },
    password_wo_version: {
      type: 'number',
      required: true,
      description:
        'Any number; change it (e.g. add one) to set password_wo again. Terraform cannot see a change of a write-only value, so this is what triggers the change.',
    },
    changed_at: { type: 'string', computed: true, changesOnUpdate: true, description: 'When the provider last changed the password (RFC 3339).' },
  },
  docs: {
    hcl: `# Terraform 1.11 or later. The new password comes from a secret store through an ephemeral
# value, so it never reaches plan or state; the next run's provider block reads the same secret.
ephemeral "aws_secretsmanager_secret_version" "silobreaker" {
  secret_id = "silobreaker/password"
}

provider "apiaccess" {
  silobreaker_username = "svc-terraform@example.com"
  silobreaker_password = var.silobreaker_current_password # the password Silobreaker holds now
}

resource "apiaccess_silobreaker_password" "svc" {
  password_wo         = ephemeral.aws_secretsmanager_secret_version.silobreaker.secret_string
  password_wo_version = 2 # bump together with the secret
}`,
    typescript: `// An ephemeral or sensitive variable: a literal password is refused at synth.
const next = new TerraformVariable(stack, 'silobreaker_new_password', { type: 'string', sensitive: true });
new SilobreakerPassword(stack, 'svc', { passwordWo: next.stringValue, passwordWoVersion: 2 });`,
  },
});
