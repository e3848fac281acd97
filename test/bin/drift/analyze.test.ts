/** issue 13: the drift classifier on plan JSON shapes (kinds the Signicat sandbox cannot produce included). */
import { analyzePlan, vendorOf, type PlanJson } from '../../../src/bin/drift/analyze';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const key = (before: Record<string, unknown>, after: Record<string, unknown>, extra: object = {}) => ({
  address: 'apiaccess_acme_api_key.k',
  mode: 'managed',
  type: 'apiaccess_acme_api_key',
  name: 'k',
  change: { actions: ['update'], before, after, ...extra },
});

describe('issue 13: analyzePlan', () => {
  it('names the vendor from the type', () => {
    expect(vendorOf('apiaccess_carbonblack_api_key')).toBe('carbonblack');
    expect(vendorOf('null_resource')).toBe('');
  });

  it('tells disabled and expired from a plain edit, by the new values of non-sensitive attributes', () => {
    const kinds = (before: Record<string, unknown>, after: Record<string, unknown>, extra?: object) =>
      analyzePlan('s', { resource_drift: [key(before, after, extra)] }, [], NOW).map((e) => [e.kind, e.attributes]);
    expect(kinds({ name: 'a', enabled: true }, { name: 'a', enabled: false })).toEqual([['disabled', ['enabled']]]);
    expect(kinds({ status: 'active' }, { status: 'revoked' })).toEqual([['disabled', ['status']]]);
    expect(kinds({ expires_at: '2027-01-01T00:00:00Z' }, { expires_at: '2026-01-01T00:00:00Z' })).toEqual([['expired', ['expires_at']]]);
    expect(kinds({ expires_at: '2026-01-01T00:00:00Z' }, { expires_at: '2027-01-01T00:00:00Z' })).toEqual([['edited', ['expires_at']]]);
    // A sensitive attribute's value is never read, so it cannot decide the kind.
    expect(kinds({ status: 'active' }, { status: 'revoked' }, { after_sensitive: { status: true } })).toEqual([['edited', ['status']]]);
  });

  it('maps warning diagnostics to kinds, reports planned changes from code as pending, and ignores other types and no-ops', () => {
    const plan: PlanJson = {
      resource_changes: [
        { ...key({}, {}), change: { actions: ['delete', 'create'], before: { name: 'old' }, after: null } },
        {
          address: 'apiaccess_acme_api_key.new',
          mode: 'managed',
          type: 'apiaccess_acme_api_key',
          name: 'new',
          change: { actions: ['create'], before: null, after: { name: 'n' } },
        },
        { address: 'apiaccess_acme_api_key.same', mode: 'managed', type: 'apiaccess_acme_api_key', name: 'same', change: { actions: ['no-op'] } },
        { address: 'null_resource.x', mode: 'managed', type: 'null_resource', name: 'x', change: { actions: ['create'] } },
      ],
    };
    const entries = analyzePlan('s', plan, [{ severity: 'warning', summary: 'Key Expired', detail: 'gone stale.', address: 'apiaccess_acme_api_key.k' }], NOW);
    expect(entries.map((e) => [e.address, e.kind, e.name, e.vendor])).toEqual([
      ['apiaccess_acme_api_key.k', 'expired', 'old', 'acme'],
      ['apiaccess_acme_api_key.new', 'pending', 'n', 'acme'],
    ]);
  });
});
