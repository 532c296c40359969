/**
 * The `--input-shape` / `input-shape` text of the CLI and the Action, parsed once for both shells:
 * "1,3,224,224" (also "1x3x224x224") → [1, 3, 224, 224], or NAME:DIMS per input → { NAME: dims }: the forms
 * prepareModel's `inputShapes` takes. Likewise `--input-value` / `input-value`: NAME=VALUE per input →
 * prepareModel's `inputValues`.
 */
import { InputError } from '../errors.js';
import type { InputShapes, InputValues } from '../onnx/frontend/index.js';

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

/**
 * `--input-value` values → prepareModel's `inputValues`: NAME=VALUE, the flag repeated or several in one value
 * separated by ';' or spaces (the Action's `input-value` input). VALUE is one number (fills the input) or every
 * element separated by commas: `sr=16000`, `mask=1,1,0`. undefined when nothing is given.
 */
export function parseInputValues(texts: readonly string[], what: string): InputValues | undefined {
  const specs = texts.flatMap((t) => t.split(/[;\s]+/)).filter(Boolean);
  if (specs.length === 0) return undefined;
  const out: Record<string, number[]> = {};
  for (const spec of specs) {
    const at = spec.lastIndexOf('=');
    const name = spec.slice(0, at);
    if (at < 0 || !name) throw new InputError(`${what} "${spec}": expected NAME=VALUE, e.g. sr=16000`);
    if (out[name]) throw new InputError(`${what}: input "${name}" is given twice`);
    const numbers = spec.slice(at + 1).split(',').map((v) => v.trim());
    if (numbers.some((v) => v === '' || !Number.isFinite(Number(v)))) {
      throw new InputError(`${what} "${spec}": the value must be a number or numbers separated by commas, e.g. ${name}=16000`);
    }
    out[name] = numbers.map(Number);
  }
  return out;
}
