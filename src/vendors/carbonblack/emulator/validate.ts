/** Strict input checks shared by the Carbon Black routes: query parameters and JSON bodies → 400. */
import type { SandboxRequest, SandboxResponse } from '../../../sandbox/types';
import { jsonBody } from '../../../sandbox/util';
import { type Checked, failure } from './auth';

export type { Checked } from './auth';

/** A 400 in the vendor's envelope. */
export function badRequest(message: string): SandboxResponse {
  return failure(400, `Bad Request: ${message}`);
}

/**
 * The query as a map, or a 400 when it has a parameter outside `allowed` or a repeated one.
 * (The sandbox is stricter than the vendor here: an unknown parameter is a client bug.)
 */
export function queryOf(req: SandboxRequest, allowed: readonly string[]): Checked<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [name, value] of req.query) {
    if (!allowed.includes(name)) {
      const message =
        allowed.length === 0 ? `this route takes no query parameters (got "${name}").` : `unknown query parameter "${name}" (allowed: ${allowed.join(', ')}).`;
      return { ok: false, response: badRequest(message) };
    }
    if (out.has(name)) return { ok: false, response: badRequest(`query parameter "${name}" was sent more than once.`) };
    out.set(name, value);
  }
  return { ok: true, value: out };
}

/** Parses an integer query parameter within [min, max]; `undefined` when absent. */
export function intParam(q: Map<string, string>, name: string, min: number, max: number): Checked<number | undefined> {
  const raw = q.get(name);
  if (raw === undefined) return { ok: true, value: undefined };
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    return { ok: false, response: badRequest(`"${name}" must be an integer from ${min} to ${max}.`) };
  return { ok: true, value: Number(raw) };
}

/** The JSON object body with only `allowed` fields, or a 400. */
export function objectBody(req: SandboxRequest, allowed: readonly string[]): Checked<Record<string, unknown>> {
  const parsed = jsonBody(req);
  if (!parsed.ok) return { ok: false, response: badRequest(`${parsed.reason}.`) };
  const extra = Object.keys(parsed.value).filter((k) => !allowed.includes(k));
  if (extra.length > 0) {
    return { ok: false, response: badRequest(`unknown field(s) ${extra.map((k) => `"${k}"`).join(', ')} (allowed: ${allowed.join(', ')}).`) };
  }
  return { ok: true, value: parsed.value };
}

/** Slices `items` by the v3 paging parameters (`start` is 1-based). */
export function page<T>(items: readonly T[], start: number | undefined, rows: number | undefined, defaultRows: number): T[] {
  const from = (start ?? 1) - 1;
  return items.slice(from, from + (rows ?? defaultRows));
}
