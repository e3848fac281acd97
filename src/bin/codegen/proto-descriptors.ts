/**
 * The provider's protocol descriptors, precompiled: proto.ts's text parsed once here (by
 * `npm run generate`) into protobufjs JSON, so the provider never parses proto text at start.
 */
import { parse } from 'protobufjs';
import { GO_PLUGIN_PROTO, HEALTH_PROTO, TFPLUGIN6_PROTO } from '../../provider/protocol/proto';
import { GENERATED_HEADER } from './constructs';

/** Where the generated module goes. */
export const PROTO_DESCRIPTORS_FILE = 'src/provider/protocol/proto-descriptors.generated.ts';

/** protobufjs JSON (keepCase, as proto-loader would be given it) of each of proto.ts's definitions. */
export function protoDescriptors(): { tfplugin6: unknown; goPlugin: unknown; health: unknown } {
  const json = (text: string): unknown => parse(text, { keepCase: true }).root.toJSON();
  return { tfplugin6: json(TFPLUGIN6_PROTO), goPlugin: json(GO_PLUGIN_PROTO), health: json(HEALTH_PROTO) };
}

/** The generated module: each descriptor as a JSON string (JSON.parse of a string is V8's fastest way in). */
export function protoDescriptorsSource(): string {
  const entries = Object.entries(protoDescriptors()).map(([name, json]) => `  ${name}: ${JSON.stringify(JSON.stringify(json))},`);
  return `${GENERATED_HEADER}
// Source: src/provider/protocol/proto.ts (protobufjs JSON descriptors, parsed with keepCase).
/** protobufjs JSON descriptors of proto.ts's definitions, as JSON strings. */
export const PROTO_DESCRIPTORS = {
${entries.join('\n')}
} as const;
`;
}
