/**
 * Issue 12 (start-up): the service definitions built from the precompiled descriptors are what
 * parsing proto.ts's text with protobufjs and @grpc/proto-loader gives: same descriptors, same
 * methods, same bytes on the wire and the same objects handed to the handlers.
 */
import type { ServiceDefinition } from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { parse as parseProto } from 'protobufjs';
import { protoDescriptors } from '../../../src/bin/codegen/proto-descriptors';
import { GO_PLUGIN_PROTO, HEALTH_PROTO, TFPLUGIN6_PROTO } from '../../../src/provider/protocol/proto';
import { PROTO_DESCRIPTORS } from '../../../src/provider/protocol/proto-descriptors.generated';
import { LOADER_OPTIONS, loadServices } from '../../../src/provider/protocol/services';

type Definitions = Record<string, ServiceDefinition>;

/** What serve.ts used to do at every start: parse the text, hand it to proto-loader. */
function fromText(text: string): protoLoader.PackageDefinition {
  return protoLoader.fromJSON(parseProto(text, { keepCase: true }).root.toJSON(), LOADER_OPTIONS);
}

const parsed: Definitions = {
  provider: fromText(TFPLUGIN6_PROTO)['tfplugin6.Provider'] as ServiceDefinition,
  controller: fromText(GO_PLUGIN_PROTO)['plugin.GRPCController'] as ServiceDefinition,
  stdio: fromText(GO_PLUGIN_PROTO)['plugin.GRPCStdio'] as ServiceDefinition,
  health: fromText(HEALTH_PROTO)['grpc.health.v1.Health'] as ServiceDefinition,
};

describe('issue 12: precompiled protocol descriptors', () => {
  it('are the protobufjs JSON of parsing proto.ts now (the committed module is current)', () => {
    const now = protoDescriptors();
    expect(JSON.parse(PROTO_DESCRIPTORS.tfplugin6)).toEqual(now.tfplugin6);
    expect(JSON.parse(PROTO_DESCRIPTORS.goPlugin)).toEqual(now.goPlugin);
    expect(JSON.parse(PROTO_DESCRIPTORS.health)).toEqual(now.health);
  });

  it('give the services, methods, paths, stream flags and names proto-loader gives', () => {
    const services = loadServices() as unknown as Definitions;
    expect(Object.keys(services)).toEqual(Object.keys(parsed));
    for (const [service, definition] of Object.entries(parsed)) {
      const ours = services[service]!;
      expect(Object.keys(ours)).toEqual(Object.keys(definition));
      for (const [name, method] of Object.entries(definition)) {
        const { path, requestStream, responseStream, originalName } = ours[name]!;
        expect({ path, requestStream, responseStream, originalName }).toEqual({
          path: method.path,
          requestStream: method.requestStream,
          responseStream: method.responseStream,
          originalName: method.originalName,
        });
      }
    }
    expect(Object.keys(services.provider!)).toEqual(expect.arrayContaining(['GetProviderSchema', 'PlanResourceChange', 'CallFunction', 'StopProvider']));
  });

  const samples: [service: string, method: string, request: object, response: object][] = [
    [
      'provider',
      'GetProviderSchema',
      {},
      {
        provider: {
          version: 1,
          block: { attributes: [{ name: 'token', type: Buffer.from('"string"'), sensitive: true, optional: true }], description_kind: 'MARKDOWN' },
        },
        resource_schemas: { apiaccess_x: { version: 2, block: { block_types: [{ type_name: 'rule', nesting: 'LIST', min_items: 1 }] } } },
        diagnostics: [{ severity: 'WARNING', summary: 's', detail: 'd', attribute: { steps: [{ attribute_name: 'a' }, { element_key_int: 3 }] } }],
        server_capabilities: { plan_destroy: true, get_provider_schema_optional: true },
      },
    ],
    [
      'provider',
      'PlanResourceChange',
      {
        type_name: 'apiaccess_x',
        prior_state: { msgpack: Buffer.from([0x80]) },
        proposed_new_state: { json: Buffer.from('{}') },
        config: { msgpack: Buffer.from([0xc0]) },
        prior_private: Buffer.from('p'),
        client_capabilities: { deferral_allowed: true },
      },
      {
        planned_state: { msgpack: Buffer.from([0x81, 0xa1, 0x61, 0x01]) },
        requires_replace: [{ steps: [{ attribute_name: 'name' }] }],
        planned_private: Buffer.alloc(0),
      },
    ],
    [
      'provider',
      'UpgradeResourceState',
      { type_name: 'apiaccess_x', version: 3, raw_state: { json: Buffer.from('{"a":1}'), flatmap: { k: 'v' } } },
      { upgraded_state: { json: Buffer.from('{}') } },
    ],
    ['provider', 'CallFunction', { name: 'f', arguments: [{ msgpack: Buffer.from([0x01]) }] }, { error: { text: 'bad', function_argument: 2 } }],
    ['controller', 'Shutdown', {}, {}],
    ['stdio', 'StreamStdio', {}, { channel: 'STDERR', data: Buffer.from('x') }],
    ['health', 'Check', { service: 'plugin' }, { status: 'SERVING' }],
  ];

  it.each(samples)('encode and decode %s.%s as proto-loader does', (service, method, request, response) => {
    const ours = (loadServices() as unknown as Definitions)[service]![method]!;
    const theirs = parsed[service]![method]!;
    const requestBytes = theirs.requestSerialize(request);
    const responseBytes = theirs.responseSerialize(response);
    expect(ours.requestSerialize(request)).toEqual(requestBytes);
    expect(ours.responseSerialize(response)).toEqual(responseBytes);
    expect(ours.requestDeserialize(requestBytes)).toEqual(theirs.requestDeserialize(requestBytes));
    expect(ours.responseDeserialize(responseBytes)).toEqual(theirs.responseDeserialize(responseBytes));
    // Defaults filled in as proto-loader does (defaults: true, enums as strings, oneofs named).
    expect(ours.responseDeserialize(Buffer.alloc(0))).toEqual(theirs.responseDeserialize(Buffer.alloc(0)));
  });
});
