/**
 * tfplugin6.DynamicValue ⇄ the value model of ../framework/cty. The codecs live by job:
 * ./msgpack (go-cty msgpack both ways, unknowns in ./msgpack-unknown), ./json-state (go-cty JSON,
 * read only: stored state and JSON-only DynamicValues) and ./cty-walk (the type walk they share).
 */
import type { CtyType, CtyValue } from '../framework/cty';
import { decodeJson } from './json-state';
import { decodeMsgpack, encodeMsgpack } from './msgpack';

export { decodeMsgpack, encodeMsgpack } from './msgpack';
export { decodeJson, parseJsonLossless, storedFits } from './json-state';

/** tfplugin6.DynamicValue as proto-loader hands it over. */
export interface DynamicValueMessage {
  msgpack?: Uint8Array | null;
  json?: Uint8Array | null;
}

/** Decodes a tfplugin6 DynamicValue {msgpack?, json?}: msgpack if non-empty, else json, else null. */
export function decodeDynamicValue(type: CtyType, dv: DynamicValueMessage | null | undefined): CtyValue {
  if (dv?.msgpack && dv.msgpack.length > 0) return decodeMsgpack(type, dv.msgpack);
  if (dv?.json && dv.json.length > 0) return decodeJson(type, dv.json);
  return null;
}

/** Encodes a value as a tfplugin6 DynamicValue (msgpack form, which Terraform always accepts). */
export function encodeDynamicValue(type: CtyType, value: CtyValue): { msgpack: Uint8Array } {
  return { msgpack: encodeMsgpack(type, value) };
}
