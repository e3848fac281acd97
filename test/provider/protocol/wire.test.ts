/** Issue 6: diagnostics are redacted where they leave the process (diagnosticsToProto), not by each caller. */
import { Diagnostics } from '../../../src/core/diagnostics';
import { clearRegisteredSecrets, REDACTED, registerSecret } from '../../../src/core/redact';
import { decodeErrorDiagnostic, diagnosticsToProto } from '../../../src/provider/protocol/wire';

const SECRET = 'wire-secret "quoted"\nnext';

beforeEach(() => {
  clearRegisteredSecrets();
  registerSecret(SECRET);
});
afterAll(() => clearRegisteredSecrets());

describe('issue 6: diagnosticsToProto redacts summary and detail', () => {
  it('masks a registered secret in any encoding, in errors and warnings, and keeps the attribute path', () => {
    const diags = new Diagnostics()
      .error(`Bad ${SECRET}`, `The vendor answered ${JSON.stringify({ echo: SECRET })} and ${encodeURIComponent(SECRET).toLowerCase()}.`, ['name'])
      .warning('Heads Up', `Sent Basic ${Buffer.from(`id:${SECRET}`).toString('base64')}.`);
    expect(diagnosticsToProto(diags)).toEqual([
      {
        severity: 'ERROR',
        summary: `Bad ${REDACTED}`,
        detail: `The vendor answered {"echo":"${REDACTED}"} and ${REDACTED}.`,
        attribute: { steps: [{ attribute_name: 'name' }] },
      },
      { severity: 'WARNING', summary: 'Heads Up', detail: `Sent Basic aWQ6${REDACTED}.` }, // "aWQ6" is base64("id:"), the client ID,
    ]);
  });

  it('accepts a plain array of diagnostics too', () => {
    expect(diagnosticsToProto([{ severity: 'error', summary: 'S', detail: `x ${SECRET}` }])).toEqual([
      { severity: 'ERROR', summary: 'S', detail: `x ${REDACTED}` },
    ]);
  });

  it('decodeErrorDiagnostic redacts the decoder error it quotes', () => {
    const [d] = decodeErrorDiagnostic('the provider configuration', new Error(`bad byte near ${SECRET}`)) as { detail: string }[];
    expect(d!.detail).toBe(`The provider could not decode the provider configuration: bad byte near ${REDACTED}.`);
  });
});
