/**
 * The gRPC service definitions the provider serves, built from the precompiled protobufjs JSON
 * descriptors (`proto-descriptors.generated.ts`, made from proto.ts by `npm run generate`) instead
 * of parsing proto text at start. The method table comes straight from the JSON; protobufjs itself
 * (its light build: no parser) is loaded, and a message type set up, only when the first message of
 * that type is encoded or decoded. The definitions are those @grpc/proto-loader would make with
 * {@link LOADER_OPTIONS} (a unit test compares them).
 */
import type { ServiceDefinition } from '@grpc/grpc-js';
import type { IConversionOptions, Method, Root, Type } from 'protobufjs';
import { PROTO_DESCRIPTORS } from './proto-descriptors.generated';

/** The @grpc/proto-loader options these definitions match. */
export const LOADER_OPTIONS = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true } as const;

const TO_OBJECT: IConversionOptions = { longs: Number, enums: String, defaults: true, oneofs: true };

interface MethodJson {
  readonly requestType: string;
  readonly responseType: string;
  readonly requestStream?: boolean;
  readonly responseStream?: boolean;
}
interface NamespaceJson {
  readonly nested?: Record<string, NamespaceJson>;
  readonly methods?: Record<string, MethodJson>;
}

/** The services the provider serves. */
export interface ProviderServices {
  readonly provider: ServiceDefinition;
  readonly controller: ServiceDefinition;
  readonly stdio: ServiceDefinition;
  readonly health: ServiceDefinition;
}

function loadRoot(json: NamespaceJson): Root {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Root: RootClass } = require('protobufjs/light') as typeof import('protobufjs');
  return RootClass.fromJSON(json as Parameters<typeof RootClass.fromJSON>[0]);
}

/** The definition of service `fqn` (e.g. `tfplugin6.Provider`) of a descriptor, codecs set up on first use. */
function serviceDefinition(descriptor: string, fqn: string): ServiceDefinition {
  const json = JSON.parse(descriptor) as NamespaceJson;
  let node: NamespaceJson | undefined = json;
  for (const part of fqn.split('.')) node = node?.nested?.[part];
  if (!node?.methods) throw new Error(`the precompiled descriptors have no service ${fqn}; run "npm run generate"`);
  let root: Root | undefined;
  const typeOf = (method: string, which: 'request' | 'response'): (() => Type) => {
    let type: Type | undefined;
    return () => {
      if (!type) {
        root ??= loadRoot(json);
        const resolved = root.lookupService(fqn).methods[method]!.resolve() as Method;
        type = (which === 'request' ? resolved.resolvedRequestType : resolved.resolvedResponseType)!;
      }
      return type;
    };
  };
  const definition: Record<string, ServiceDefinition[string]> = {};
  for (const [name, method] of Object.entries(node.methods)) {
    const request = typeOf(name, 'request');
    const response = typeOf(name, 'response');
    definition[name] = {
      path: `/${fqn}/${name}`,
      requestStream: !!method.requestStream,
      responseStream: !!method.responseStream,
      requestSerialize: (value: object) => request().encode(request().fromObject(value)).finish() as Buffer,
      requestDeserialize: (bytes: Buffer) => request().toObject(request().decode(bytes), TO_OBJECT),
      responseSerialize: (value: object) => response().encode(response().fromObject(value)).finish() as Buffer,
      responseDeserialize: (bytes: Buffer) => response().toObject(response().decode(bytes), TO_OBJECT),
      originalName: name.charAt(0).toLowerCase() + name.slice(1),
    };
  }
  return definition;
}

/** The provider's, go-plugin's and the health service's definitions. */
export function loadServices(): ProviderServices {
  return {
    provider: serviceDefinition(PROTO_DESCRIPTORS.tfplugin6, 'tfplugin6.Provider'),
    controller: serviceDefinition(PROTO_DESCRIPTORS.goPlugin, 'plugin.GRPCController'),
    stdio: serviceDefinition(PROTO_DESCRIPTORS.goPlugin, 'plugin.GRPCStdio'),
    health: serviceDefinition(PROTO_DESCRIPTORS.health, 'grpc.health.v1.Health'),
  };
}
