/**
 * Signal Sciences API access: the corp's token settings (90-day expiration, tokens restricted to
 * allowed users), two users allowed to use tokens, and two personal tokens of the provider's own
 * user with staggered rotation. Run with `cdktf synth` (or `npm run demo` from the repository
 * root, against the embedded sandbox). The provider reads its credentials from the environment
 * (APIACCESS_SIGSCI_* or APIACCESS_SANDBOX_URL), so nothing secret is written into cdktf.out.
 */
import { App, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { ApiAccessProvider, DataSigsciApiTokens, SigsciApiToken, SigsciTokenSettings, SigsciUserTokenAccess } from '../../lib';

class SigsciCredentialsStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // State next to the synthesized stack (cdktf.out/stacks/sigsci/terraform.tfstate).
    new LocalBackend(this, { path: 'terraform.tfstate' });
    new ApiAccessProvider(this, 'apiaccess');

    // The provider's own user (sigsci_email; the sandbox's seeded owner by default) must be
    // allowed before the restriction is switched on, or its own token is disabled.
    const pipelineUser = new TerraformVariable(this, 'pipeline_user', {
      type: 'string',
      default: 'owner@example.com',
      description: 'E-mail of the user the provider acts as (the same as sigsci_email).',
    });
    const pipeline = new SigsciUserTokenAccess(this, 'pipeline-user', { email: pipelineUser.stringValue, allowed: true });
    const analyst = new SigsciUserTokenAccess(this, 'analyst', { email: 'user@example.com', allowed: true });

    new SigsciTokenSettings(this, 'corp', {
      expiration: '2160h',
      restrictToAllowedUsers: true,
      dependsOn: [pipeline, analyst],
    });

    // Names are unique per user, so a token cannot overlap with its own replacement: two tokens
    // with rotation let consumers switch from one to the other.
    const primary = new SigsciApiToken(this, 'ci-primary', { name: 'ci primary', rotationPeriod: '720h' });
    const secondary = new SigsciApiToken(this, 'ci-secondary', { name: 'ci secondary', rotationPeriod: '720h' });

    const expired = new DataSigsciApiTokens(this, 'expired', { status: 'expired', dependsOn: [primary, secondary] });

    new TerraformOutput(this, 'ci_token', {
      description: 'The primary CI token (x-api-token); shown only with terraform output -raw ci_token.',
      value: primary.token,
      sensitive: true,
    });
    new TerraformOutput(this, 'token_ids', { value: { primary: primary.tokenId, secondary: secondary.tokenId } });
    new TerraformOutput(this, 'expired_tokens', { value: expired.tokens });
  }
}

const app = new App();
new SigsciCredentialsStack(app, 'sigsci');
app.synth();
