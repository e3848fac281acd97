/**
 * A Silobreaker API key with its shared key, the account's keys as a data source, and a signed
 * URL made by the provider function. Run with `cdktf synth` (the provider reads its credentials
 * from APIACCESS_SILOBREAKER_* or APIACCESS_SANDBOX_URL, so nothing secret is in cdktf.out).
 *
 * With APIACCESS_EXAMPLE_ROTATE_PASSWORD=1 at synth, the stack also rotates the user's password
 * (Terraform 1.11 or later): the new one comes from the sensitive variable `silobreaker_new_password`
 * (TF_VAR_silobreaker_new_password, fed from your secret store) into the write-only password_wo, so
 * it never reaches plan or state; the next run's provider reads it as APIACCESS_SILOBREAKER_PASSWORD.
 */
import { App, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { ApiAccessFunction, ApiAccessProvider, DataSilobreakerApiKeys, SilobreakerApiKey, SilobreakerPassword } from '../../lib';

class SilobreakerCredentialsStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new LocalBackend(this, { path: 'terraform.tfstate' });
    new ApiAccessProvider(this, 'apiaccess');

    const feeds = new SilobreakerApiKey(this, 'feeds', { description: 'threat feed ingestion', rotationPeriod: '720h' });
    const keys = new DataSilobreakerApiKeys(this, 'keys', { dependsOn: [feeds] });

    new TerraformOutput(this, 'api_key', { description: 'The public API key (apiKey parameter).', value: feeds.apiKey });
    new TerraformOutput(this, 'shared_key', { description: 'Its shared key (kept in state, sensitive).', value: feeds.sharedKey, sensitive: true });
    new TerraformOutput(this, 'key_count', { description: 'How many API keys the account holds.', value: `\${length(${keys.fqn}.keys)}` });
    new TerraformOutput(this, 'signed_search_url', {
      description: 'A signed document search, as Silobreaker checks it (provider::apiaccess::silobreaker_signed_url).',
      value: ApiAccessFunction.call('silobreaker_signed_url', [
        'GET',
        'https://api.silobreaker.com/search/documents/Sweden?type=json',
        feeds.apiKey,
        feeds.sharedKey,
        ApiAccessFunction.NULL,
      ]),
      sensitive: true,
    });

    if (process.env.APIACCESS_EXAMPLE_ROTATE_PASSWORD === '1') {
      const next = new TerraformVariable(this, 'silobreaker_new_password', { type: 'string', sensitive: true, description: 'The new Silobreaker password.' });
      new SilobreakerPassword(this, 'user-password', { passwordWo: next.stringValue, passwordWoVersion: 1 });
    }
  }
}

const app = new App();
new SilobreakerCredentialsStack(app, 'silobreaker');
app.synth();
