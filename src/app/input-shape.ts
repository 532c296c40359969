/**
 * The `--input-shape` / `input-shape` text of the CLI and the Action, parsed once for both shells:
 * "1,3,224,224" (also "1x3x224x224") → [1, 3, 224, 224], or NAME:DIMS per input → { NAME: dims }: the forms
 * prepareModel's `inputShapes` takes.
 */
import { InputError } from '../errors.js';
import type { InputShapes } from '../onnx/frontend/index.js';

/** Parses a shape; `what` names the flag or input in the error (e.g. `--input-shape`, `Input 'input-shape'`). */
export function parseInputShape(text: string, what: string): number[] {
  const parts = text.split(/[,x×\s]+/).filter(Boolean).map(Number);
  if (parts.length === 0 || parts.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new InputError(`${what} "${text}": expected positive integers separated by commas, e.g. 1,3,224,224`);
  }
  return parts;
}

/**
 * One or several `--input-shape` values → prepareModel's `inputShapes`: one unnamed shape ("1,3,224,224", for a
 * one-input model) or named ones ("a:1,16", the flag repeated, or several in one value separated by ';' or
 * spaces, as the Action's `input-shape` input passes them). undefined when nothing is given.
 */
export function parseInputShapes(texts: readonly string[], what: string): InputShapes | undefined {
  const specs = texts.flatMap((t) => (t.includes(':') ? t.split(/[;\s]+/) : [t])).map((t) => t.trim()).filter(Boolean);
  if (specs.length === 0) return undefined;
  const named = specs.filter((s) => s.includes(':'));
  if (named.length === 0 && specs.length === 1) return parseInputShape(specs[0]!, what);
  if (named.length !== specs.length) {
    throw new InputError(`${what}: give either one shape (e.g. 1,3,224,224) or one NAME:DIMS per input (e.g. a:1,16 and b:1,16)`);
  }
  const out: Record<string, number[]> = {};
  for (const spec of named) {
    const at = spec.lastIndexOf(':');
    const name = spec.slice(0, at);
    if (!name) throw new InputError(`${what} "${spec}": the input name before ':' is empty`);
    if (out[name]) throw new InputError(`${what}: input "${name}" is given twice`);
    out[name] = parseInputShape(spec.slice(at + 1), `${what} ${name}`);
  }
  return out;
}
