/**
 * Two Signicat API clients with their permissions and one secret each. Run with `cdktf synth`
 * (or `npm run demo` from the repository root, which does it against the embedded sandbox).
 * The provider reads its credentials from the environment (APIACCESS_SIGNICAT_* or
 * APIACCESS_SANDBOX_URL), so nothing secret is written into cdktf.out.
 */
import { App, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { ApiAccessProvider, SignicatApiClient, SignicatClientSecret } from '../../lib';

class SignicatCredentialsStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // State next to the synthesized stack (cdktf.out/stacks/signicat/terraform.tfstate).
    new LocalBackend(this, { path: 'terraform.tfstate' });
    new ApiAccessProvider(this, 'apiaccess');

    const backend = new SignicatApiClient(this, 'backend-service', {
      name: 'backend-service',
      permissions: ['authentication:read', 'sessions:write'],
      accessTokenLifetime: 900,
    });
    const reports = new SignicatApiClient(this, 'reports', {
      name: 'reporting-job',
      permissions: ['document-storage:read'],
    });
    new SignicatClientSecret(this, 'backend-secret', { clientId: backend.clientId, name: 'pipeline' });
    new SignicatClientSecret(this, 'reports-secret', { clientId: reports.clientId, name: 'pipeline' });

    new TerraformOutput(this, 'client_ids', {
      description: 'Client IDs of the API clients (the secrets stay in state, marked sensitive).',
      value: { backend: backend.clientId, reports: reports.clientId },
    });
  }
}

const app = new App();
new SignicatCredentialsStack(app, 'signicat');
app.synth();
