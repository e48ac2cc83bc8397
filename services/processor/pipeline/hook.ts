/**
 * The hook: a TypeScript (or JavaScript) module for what a definition file cannot express. Its
 * default export is a synchronous function
 *
 *   (record, context: { now, secrets }) => record | { drop: reason }
 *
 * It runs after the declarative transforms, on a fresh object in the output shape without the
 * fields the hook adds (`hook.addsFields` in the definition), and returns the record in the full
 * output shape (it may change values in place and return the same object), or `{ drop: reason }`
 * (an object with that one key) to filter the record out: `hook_dropped`, which the dead-letter
 * policy's `hookDrop` class decides. A hook that throws, returns a promise or returns a record
 * that does not fit the output schema fails the record (`hook_failed`, `hook_result_invalid`),
 * which goes to the dead-letter topic. Nested values (maps, arrays) are shared with the decoded
 * record: copy before changing them. A hook must not keep state between records, since replays
 * and rebalances run records again on other instances.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fs from 'node:fs';
import { messageOf } from '../../shared/errors.ts';
import type { PipelineRecord, ProcessContext } from './process-result.ts';

export type HookResult = PipelineRecord | { readonly drop: string };

export type PipelineHook = (record: PipelineRecord, context: ProcessContext) => HookResult;

/** Imports a hook module and checks its default export; `file` is relative to the definition's folder. */
export async function loadHook(definitionFile: string, file: string): Promise<{ hook: PipelineHook } | { problem: string }> {
  const resolved = path.resolve(path.dirname(definitionFile), file);
  if (!fs.existsSync(resolved)) return { problem: `the hook module ${resolved} does not exist; the path is relative to this definition's folder` };
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  } catch (error) {
    return { problem: `the hook module ${resolved} failed to load: ${messageOf(error)}` };
  }
  const hook = module['default'];
  if (typeof hook !== 'function') {
    return { problem: `the hook module ${resolved} must export a function as default, \`export default function hook(record, context) {...}\`; its default export is ${hook === undefined ? 'missing' : typeof hook}` };
  }
  if (hook.length > 2) return { problem: `the hook's default export takes ${hook.length} parameters; a hook takes (record, context)` };
  return { hook: hook as PipelineHook };
}

/** Whether a hook's result is `{ drop: reason }` rather than a record. */
export function isDrop(result: unknown): result is { readonly drop: string } {
  if (result === null || typeof result !== 'object') return false;
  const keys = Object.keys(result);
  return keys.length === 1 && keys[0] === 'drop' && typeof (result as { drop: unknown }).drop === 'string';
}
