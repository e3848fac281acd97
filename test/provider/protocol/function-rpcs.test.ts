/**
 * Issue 11: provider-defined functions over the real tfplugin6 messages: advertised in
 * GetMetadata, GetProviderSchema and GetFunctions; CallFunction decodes each argument by its
 * parameter type, returns the result, or a FunctionError with the argument index (redacted).
 */
import { parse as parseProto, type Type } from 'protobufjs';
import { ApiAccessError, APIACCESS_INVALID_ARGUMENT } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/log';
import { registerSecret } from '../../../src/core/redact';
import { ProviderEngine } from '../../../src/provider/framework/engine';
import { functionFromSpec } from '../../../src/provider/framework/functions';
import type { VendorProvider } from '../../../src/provider/framework/provider';
import { decodeDynamicValue, encodeDynamicValue } from '../../../src/provider/protocol/dynamic-value';
import { TFPLUGIN6_PROTO } from '../../../src/provider/protocol/proto';
import { createProviderHandlers } from '../../../src/provider/protocol/provider-service';
import { defineFunction } from '../../../src/spec';

type Res = Record<string, unknown>;
const root = parseProto(TFPLUGIN6_PROTO, { keepCase: true }).root;

function overWire(message: string, res: object): Res {
  const t: Type = root.lookupType(`tfplugin6.${message}`);
  return t.toObject(t.decode(t.encode(t.fromObject(res)).finish()), { enums: String, longs: Number, defaults: true, arrays: true, objects: true }) as Res;
}

const spec = defineFunction({
  name: 'fake_join',
  summary: 'Joins.',
  description: 'Joins a and b with sep.',
  parameters: [
    { name: 'a', type: 'string', description: 'first' },
    { name: 'n', type: 'number', description: 'times' },
    { name: 'sep', type: 'string', description: 'separator', allowNull: true },
  ],
  returns: 'string',
  docs: { hcl: '', typescript: '' },
});

const fn = functionFromSpec(spec, ({ a, n, sep }) => {
  if ((n as number) < 1) throw new ApiAccessError(APIACCESS_INVALID_ARGUMENT, `n must be at least 1 (a was ${String(a)})`, { field: 'n' });
  return Array.from({ length: n as number }, () => a).join((sep as string | null) ?? '-');
});

function handlers() {
  const vendor = { name: 'fake', settings: {}, credentials: [], sandboxSettings: () => ({}), createClient: () => ({}), resources: [], functions: [fn] };
  return createProviderHandlers(new ProviderEngine([vendor as VendorProvider], silentLogger, {}), silentLogger);
}

const arg = (type: 'string' | 'number', v: unknown) => encodeDynamicValue(type, v as never);

describe('issue 11: provider function RPCs', () => {
  it('advertises the function in GetMetadata, GetProviderSchema and GetFunctions', async () => {
    const h = handlers();
    const meta = overWire('GetMetadata.Response', await h.GetMetadata!({}));
    expect(meta.functions).toEqual([{ name: 'fake_join' }]);
    const schema = overWire('GetProviderSchema.Response', await h.GetProviderSchema!({}));
    const got = overWire('GetFunctions.Response', await h.GetFunctions!({}));
    for (const functions of [schema.functions, got.functions] as Record<string, Res>[]) {
      const f = functions.fake_join!;
      expect(f.summary).toBe('Joins.');
      expect(JSON.parse(Buffer.from((f.return as { type: Uint8Array }).type).toString())).toBe('string');
      const params = f.parameters as Res[];
      expect(params.map((p) => [p.name, JSON.parse(Buffer.from(p.type as Uint8Array).toString()), p.allow_null_value, p.allow_unknown_values])).toEqual([
        ['a', 'string', false, false],
        ['n', 'number', false, false],
        ['sep', 'string', true, false],
      ]);
    }
  });

  it('CallFunction decodes the arguments by type and encodes the result', async () => {
    const res = overWire(
      'CallFunction.Response',
      await handlers().CallFunction!({ name: 'fake_join', arguments: [arg('string', 'x'), arg('number', 3), { msgpack: Buffer.from([0xc0]) }] }),
    );
    expect(res.error).toBeNull();
    expect(decodeDynamicValue('string', res.result as never)).toBe('x-x-x');
  });

  it('a thrown error naming a parameter is a FunctionError with its index, redacted', async () => {
    registerSecret('topsecret-value-123');
    const res = overWire(
      'CallFunction.Response',
      await handlers().CallFunction!({ name: 'fake_join', arguments: [arg('string', 'topsecret-value-123'), arg('number', 0), arg('string', ',')] }),
    );
    const error = res.error as Res;
    expect(error.function_argument).toBe(1);
    expect(String(error.text)).toContain('n must be at least 1');
    expect(String(error.text)).not.toContain('topsecret-value-123');
  });

  it('an unknown function, a wrong count or a null for a non-null parameter is a FunctionError', async () => {
    const h = handlers();
    expect((overWire('CallFunction.Response', await h.CallFunction!({ name: 'nope', arguments: [] })).error as Res).text).toContain('no function');
    expect((overWire('CallFunction.Response', await h.CallFunction!({ name: 'fake_join', arguments: [arg('string', 'x')] })).error as Res).text).toContain(
      '3 arguments',
    );
    const nul = overWire(
      'CallFunction.Response',
      await h.CallFunction!({ name: 'fake_join', arguments: [{ msgpack: Buffer.from([0xc0]) }, arg('number', 1), arg('string', ',')] }),
    );
    expect(nul.error).toMatchObject({ function_argument: 0 });
  });
});
