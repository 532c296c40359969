/**
 * The `--input-shape` / `input-shape` text of the CLI and the Action, parsed once for both shells:
 * "1,3,224,224" (also "1x3x224x224") → [1, 3, 224, 224], the form prepareModel's `inputShapes` takes.
 */
import { InputError } from '../errors.js';

/** Parses a shape; `what` names the flag or input in the error (e.g. `--input-shape`, `Input 'input-shape'`). */
export function parseInputShape(text: string, what: string): number[] {
  const parts = text.split(/[,x×\s]+/).filter(Boolean).map(Number);
  if (parts.length === 0 || parts.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new InputError(`${what} "${text}": expected positive integers separated by commas, e.g. 1,3,224,224`);
  }
  return parts;
}
