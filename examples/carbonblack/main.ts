/**
 * Two Carbon Black Cloud API keys: a SIEM key for a Splunk connector and a Live Response key for
 * an EDR automation, usable only from 203.0.113.0/24. Run with `cdktf synth` (or `npm run demo`
 * from the repository root, which does it against the embedded sandbox). The provider reads its
 * managing key from the environment (APIACCESS_CARBONBLACK_* or APIACCESS_SANDBOX_URL), so nothing
 * secret is written into cdktf.out.
 */
import { App, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { ApiAccessProvider, CarbonblackApiKey } from '../../lib';

class CarbonBlackKeysStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // State next to the synthesized stack (cdktf.out/stacks/carbonblack/terraform.tfstate).
    new LocalBackend(this, { path: 'terraform.tfstate' });
    new ApiAccessProvider(this, 'apiaccess');

    const siem = new CarbonblackApiKey(this, 'siem', {
      name: 'splunk-siem',
      description: 'Splunk connector: notifications only',
      accessLevel: 'SIEM',
      rotationPeriod: '720h',
    });
    const liveResponse = new CarbonblackApiKey(this, 'live-response', {
      name: 'edr-automation',
      description: 'EDR automation: Live Response from the automation subnet',
      accessLevel: 'LIVE_RESPONSE',
      allowedIpAddresses: ['203.0.113.0/24'],
    });

    new TerraformOutput(this, 'api_ids', {
      description: 'API IDs of the keys (the secrets stay in state, marked sensitive).',
      value: { siem: siem.apiId, live_response: liveResponse.apiId },
    });
    new TerraformOutput(this, 'siem_x_auth_token', {
      description: 'The X-Auth-Token the Splunk connector sends (<API Secret Key>/<API ID>).',
      value: siem.xAuthToken,
      sensitive: true,
    });
  }
}

const app = new App();
new CarbonBlackKeysStack(app, 'carbonblack');
app.synth();
