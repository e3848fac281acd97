/** Spec of the data source `apiaccess_threatjammer_quota`: the key's quotas (`GET /v1/token`). */
import { defineDataSource, integerBetween } from '../../../spec';

/** By default, a plan whose quota read finds the monthly bucket at least this full (percent) gets a warning. */
export const MONTHLY_WARNING_PERCENT = 90;

const n = (description: string) => ({ type: 'number' as const, computed: true as const, description });
const s = (description: string) => ({ type: 'string' as const, computed: true as const, description });

export const quotaDataSpec = defineDataSource({
  typeName: 'apiaccess_threatjammer_quota',
  description: `The quotas of the provider's Threat Jammer API key, as GET /v1/token reports them (that read counts as one call itself). Values are as they stood before the read. When the monthly bucket is warn_at_percent (default ${MONTHLY_WARNING_PERCENT} %) spent or more, the plan shows a warning.`,
  attributes: {
    warn_at_percent: {
      type: 'number',
      optional: true,
      computed: true,
      default: MONTHLY_WARNING_PERCENT,
      description: `Warn in the plan when this share of the monthly bucket (percent, 1-100) is spent or more. Defaults to ${MONTHLY_WARNING_PERCENT}.`,
      validators: [integerBetween(1, 100, 'percent')],
    },
    self: { type: 'string', computed: true, sensitive: true, output: 'selfPath', description: 'self: /v1/token/<key>; it holds the key, so it is sensitive.' },
    region_id: s('region_id: the region of the key, e.g. aws-eu-west-3.'),
    status: s('status: ENABLED or DISABLED.'),
    last_month_bucket_init_value: n('last_month_bucket_init_value: calls allowed per monthly period (30 days from registration).'),
    last_month_bucket_value: n('last_month_bucket_value: calls counted in the current monthly period.'),
    last_month_bucket_refresh: s('last_month_bucket_refresh as RFC 3339: when the monthly period ends and the count starts again.'),
    last_month_bucket_refresh_ms: n('last_month_bucket_refresh as Threat Jammer sends it: Unix milliseconds.'),
    last_minute_bucket_init_value: n('last_minute_bucket_init_value: calls the per-minute bucket holds.'),
    last_minute_bucket_refill_ratio: n('last_minute_bucket_refill_ratio: calls given back to the per-minute bucket every second.'),
    last_minute_bucket_value: n('last_minute_bucket_value: calls in the per-minute bucket now.'),
    last_minute_bucket_refresh: s('last_minute_bucket_refresh as RFC 3339: the next reset of the per-minute bucket.'),
    last_minute_bucket_refresh_ms: n('last_minute_bucket_refresh as Threat Jammer sends it: Unix milliseconds.'),
    created_at: s('created_at as RFC 3339: when the key was issued.'),
    created_at_ms: n('created_at as Threat Jammer sends it: Unix milliseconds.'),
    updated_at: s('updated_at as RFC 3339: when the key last changed.'),
    updated_at_ms: n('updated_at as Threat Jammer sends it: Unix milliseconds.'),
    monthly_remaining: n('Calls left in the monthly period: last_month_bucket_init_value minus last_month_bucket_value (at least 0).'),
    minute_remaining: n('Calls the per-minute bucket still takes: last_minute_bucket_init_value minus last_minute_bucket_value (at least 0).'),
  },
  docs: {
    hcl: `data "apiaccess_threatjammer_quota" "quota" {}

output "threatjammer_monthly_remaining" {
  value = data.apiaccess_threatjammer_quota.quota.monthly_remaining
}`,
    typescript: `const quota = new DataThreatjammerQuota(stack, 'quota', {});
new TerraformOutput(stack, 'threatjammer_monthly_remaining', { value: quota.monthlyRemaining });`,
  },
});
