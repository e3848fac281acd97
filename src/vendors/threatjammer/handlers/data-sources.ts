/** The Threat Jammer data sources: vendor reads only; schema and validation follow from their specs. */
import { dataSourceFromSpec } from '../../../provider/framework/other-types';
import type { ThreatJammerClient } from '../client';
import { keyActivityDataSpec } from '../spec/key-activity-data';
import { quotaDataSpec } from '../spec/quota-data';
import { keyRefused } from './key-errors';

const iso = (ms: number): string => new Date(ms).toISOString();

/** Data source apiaccess_threatjammer_quota. */
export const quotaDataSource = dataSourceFromSpec<ThreatJammerClient, typeof quotaDataSpec.attributes>(quotaDataSpec, {
  async read(config, ctx) {
    const t = await ctx.client.readToken(ctx.signal).catch((err: unknown) => {
      throw keyRefused(err);
    });
    const monthlyRemaining = Math.max(0, t.month.limit - t.month.used);
    const spent = t.month.limit > 0 ? (t.month.used / t.month.limit) * 100 : 100;
    if (spent >= config.warn_at_percent) {
      ctx.diagnostics.warning(
        'Threat Jammer Monthly Quota Nearly Used',
        `The Threat Jammer key has used ${t.month.used} of its ${t.month.limit} monthly calls (${Math.floor(spent)} %, warning from ${config.warn_at_percent} %, warn_at_percent); ` +
          `${monthlyRemaining} are left until the period ends at ${iso(t.month.resetsAtMs)}. Calls beyond the quota are refused (HTTP 429) until then.`,
      );
    }
    return {
      self: t.self,
      region_id: t.regionId,
      status: t.status,
      last_month_bucket_init_value: t.month.limit,
      last_month_bucket_value: t.month.used,
      last_month_bucket_refresh: iso(t.month.resetsAtMs),
      last_month_bucket_refresh_ms: t.month.resetsAtMs,
      last_minute_bucket_init_value: t.minute.limit,
      last_minute_bucket_refill_ratio: t.minute.refillPerSecond,
      last_minute_bucket_value: t.minute.used,
      last_minute_bucket_refresh: iso(t.minute.resetsAtMs),
      last_minute_bucket_refresh_ms: t.minute.resetsAtMs,
      created_at: iso(t.createdAtMs),
      created_at_ms: t.createdAtMs,
      updated_at: iso(t.updatedAtMs),
      updated_at_ms: t.updatedAtMs,
      monthly_remaining: monthlyRemaining,
      minute_remaining: Math.max(0, t.minute.limit - t.minute.used),
    };
  },
});

/** Data source apiaccess_threatjammer_key_activity. */
export const keyActivityDataSource = dataSourceFromSpec<ThreatJammerClient, typeof keyActivityDataSpec.attributes>(keyActivityDataSpec, {
  async read(config, ctx) {
    const page = await ctx.client.listActivity({ page: 1, pageSize: config.limit }, ctx.signal).catch((err: unknown) => {
      throw keyRefused(err);
    });
    return {
      activities: page.activities.map((a) => ({
        event: a.event,
        description: a.description ?? '',
        created_at: iso(a.createdAtMs),
        created_at_ms: a.createdAtMs,
        data_json: JSON.stringify(a.data ?? {}),
        source_address: a.source?.address ?? '',
        source_method: a.source?.method ?? '',
        source_uri: a.source?.uri ?? '',
        source_status_code: a.source?.status_code ?? 0,
        source_user_agent: a.source?.ua_string ?? '',
      })),
    };
  },
});
