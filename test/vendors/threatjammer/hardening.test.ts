/** Issue 6: the sandbox core's own answers on `/threatjammer` use Threat Jammer's handled-error shape. */
import { Sandbox } from '../../../src/sandbox/server';
import { MAX_BODY_BYTES } from '../../../src/sandbox/http';
import { createThreatJammerEmulator } from '../../../src/vendors/threatjammer/emulator';

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await Sandbox.start({ emulators: [createThreatJammerEmulator] });
});
afterEach(async () => {
  await sandbox.close();
});

describe("issue 6: Threat Jammer's shape for the core's answers", () => {
  it('404 is "Resource not found" with the documented type', async () => {
    const res = await fetch(`${sandbox.baseUrl}/threatjammer/v2/nothing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      title: 'Resource not found',
      detail: 'No route for GET /threatjammer/v2/nothing.',
      type: 'https://threatjammer.com/docs/error-resource-not-found',
      'type:': 'https://threatjammer.com/docs/error-resource-not-found',
    });
  });

  it('405 keeps Allow and names the method', async () => {
    const res = await fetch(`${sandbox.baseUrl}/threatjammer/v1/token`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect(await res.json()).toMatchObject({ title: 'Method Not Allowed', detail: expect.stringContaining('DELETE is not allowed') });
  });

  it('413 to a body over 1 MiB', async () => {
    const res = await fetch(`${sandbox.baseUrl}/threatjammer/v1/token/regenerate`, { method: 'POST', body: 'x'.repeat(MAX_BODY_BYTES + 1) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ title: 'Payload Too Large', type: 'https://threatjammer.com/docs/error-payload-too-large' });
  });
});
