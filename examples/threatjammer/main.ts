/**
 * The Threat Jammer user's one API key, kept enabled and regenerated every 30 days (stack
 * `threatjammer`), and its quota read as data with the remaining monthly calls as an output (stack
 * `threatjammer-quota`). Run with `cdktf synth` (or `npm run demo` from the repository root). The provider
 * reads the key from the environment (APIACCESS_THREATJAMMER_API_KEY, or APIACCESS_SANDBOX_URL
 * for the sandbox), so nothing secret is written into cdktf.out. After a rotation, the new key is
 * the sensitive output `api_key`: a pipeline writes it to its secret store for the next run.
 */
import { App, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { ApiAccessProvider, DataThreatjammerQuota, ThreatjammerApiKey } from '../../lib';

class ThreatJammerKeyStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // State next to the synthesized stack (cdktf.out/stacks/threatjammer/terraform.tfstate).
    new LocalBackend(this, { path: 'terraform.tfstate' });
    new ApiAccessProvider(this, 'apiaccess');

    const key = new ThreatjammerApiKey(this, 'key', { enabled: true, rotationPeriod: '720h' });
    new TerraformOutput(this, 'api_key', {
      description: 'The current key (changes when it is rotated): hand it to the next run.',
      value: key.value,
      sensitive: true,
    });
  }
}

/**
 * The quota, read as data. A stack of its own: every read of the quota counts as a call, so its
 * outputs change on every plan, and a scheduled `terraform plan -detailed-exitcode` of the key
 * stack should stay at exit 0 when nothing drifted.
 */
class ThreatJammerQuotaStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new LocalBackend(this, { path: 'terraform.tfstate' });
    new ApiAccessProvider(this, 'apiaccess');

    const quota = new DataThreatjammerQuota(this, 'quota', { warnAtPercent: 90 });
    new TerraformOutput(this, 'monthly_remaining', {
      description: 'Calls left in the current monthly period of the key (the plan warns from 90 % spent).',
      value: quota.monthlyRemaining,
    });
  }
}

const app = new App();
new ThreatJammerKeyStack(app, 'threatjammer');
new ThreatJammerQuotaStack(app, 'threatjammer-quota');
app.synth();
