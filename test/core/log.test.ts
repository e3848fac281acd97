/** Issue 6: every log line is redacted where it leaves the process: message and every field, nested. */
import { createLogger, hclogTimestamp } from '../../src/core/log';
import { clearRegisteredSecrets, REDACTED, registerSecret } from '../../src/core/redact';

const SECRET = 'log-secret/with space+x';

function capture(level?: 'trace' | 'info') {
  const lines: string[] = [];
  const logger = createLogger({ name: 'test', ...(level ? { level } : {}), write: (l) => lines.push(l) });
  return { logger, lines, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

beforeEach(() => {
  clearRegisteredSecrets();
  registerSecret(SECRET);
});
afterAll(() => clearRegisteredSecrets());

describe('issue 6: log lines are redacted without the caller calling redact', () => {
  it('masks the secret in the message and in every field, nested, in any encoding', () => {
    const { logger, lines, entries } = capture();
    logger.error(`sending ${SECRET}`, {
      url: `/token?s=${encodeURIComponent(SECRET)}`,
      body: new URLSearchParams({ client_secret: SECRET }).toString(),
      nested: { list: [{ echoed: JSON.stringify({ s: SECRET }) }], basic: `Basic ${Buffer.from(`id:${SECRET}`).toString('base64')}` },
      err: new Error(`vendor said ${SECRET}`),
    });
    expect(lines).toHaveLength(1);
    const [entry] = entries();
    expect(entry).toMatchObject({
      '@level': 'error',
      '@message': `sending ${REDACTED}`,
      '@module': 'test',
      url: `/token?s=${REDACTED}`,
      body: `client_secret=${REDACTED}`,
      nested: { list: [{ echoed: `{"s":"${REDACTED}"}` }], basic: `Basic aWQ6${REDACTED}` }, // base64("id:") stays
      err: { name: 'Error', message: `vendor said ${REDACTED}` },
    });
    expect(lines[0]).not.toContain('log-secret');
    expect(lines[0]).not.toContain(Buffer.from(SECRET).toString('base64').slice(2, 12));
  });

  it('writes one hclog JSON line per entry and honours the level', () => {
    const { logger, lines, entries } = capture('info');
    logger.debug('dropped');
    logger.info('kept', { n: 1 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(entries()[0]).toMatchObject({ '@level': 'info', '@message': 'kept', n: 1 });
    expect(entries()[0]!['@timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(hclogTimestamp(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)))).toBe('2026-01-02T03:04:05.678000Z');
  });
});
