/** Every generated file, as relative path → content, formatted as `prettier --check` expects. */
import { format, resolveConfig } from 'prettier';
import type { AnySpec } from './naming';
import { rawOutputs } from './raw';

/** Generated files, formatted with the project's Prettier settings. */
export async function outputs(root: string, specs?: readonly AnySpec[]): Promise<Map<string, string>> {
  const formatted = new Map<string, string>();
  for (const [path, text] of rawOutputs(specs)) {
    const filepath = `${root}/${path}`;
    const options = (await resolveConfig(filepath)) ?? {};
    formatted.set(path, await format(text, { ...options, filepath }));
  }
  return formatted;
}
