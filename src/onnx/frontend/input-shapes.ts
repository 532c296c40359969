/**
 * Static input shapes: the front end folds shape arithmetic, which needs every graph input's shape. Shapes the
 * user gives (`--input-shape name:1,16`, or one shape for a one-input model) win; a symbolic or unknown first
 * dim is the batch and becomes 1 (ESP-DL runs batch 1). A symbolic dim name fixed once is fixed everywhere it
 * appears (silero's `batch` in both `input [batch, sequence]` and `h [2, batch, 64]`), graph outputs included.
 * What stays dynamic is reported for every input at once.
 */
import { InputError } from '../../errors.js';
import type { Dim, Graph, ValueInfo } from '../../ir/graph.js';
import type { Logger } from '../../log.js';

/** Shape per graph input name, or one shape for a one-input model; with or without the batch dim. */
export type InputShapes = Readonly<Record<string, readonly number[]>> | readonly number[];

const isStatic = (d: Dim): d is number => typeof d === 'number' && d >= 0;

export function fixInputShapes(g: Graph, given: InputShapes | undefined, log: Logger): void {
  const inputs = g.inputs.filter((v) => !g.initializers.has(v.name));
  const named = given && !Array.isArray(given) ? (given as Readonly<Record<string, readonly number[]>>) : undefined;
  if (named) {
    const unknown = Object.keys(named).filter((k) => !inputs.some((i) => i.name === k));
    if (unknown.length > 0) {
      throw new InputError(`--input-shape names ${unknown.map((u) => `"${u}"`).join(', ')}, which ${unknown.length === 1 ? 'is not an input' : 'are not inputs'} of the model (inputs: ${inputs.map((i) => i.name).join(', ')})`);
    }
  }
  if (given && Array.isArray(given) && inputs.length > 1) {
    throw new InputError(`the model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}): give one --input-shape NAME:DIMS per input`);
  }
  const bound = new Map<string, number>();
  const bind = (declared: Dim[] | undefined, actual: readonly Dim[]) => {
    declared?.forEach((d, i) => {
      const a = actual[i];
      if (typeof d === 'string' && d !== '' && a !== undefined && isStatic(a)) bound.set(d, a);
    });
  };
  const pending: ValueInfo[] = [];
  for (const v of inputs) {
    const shape = named ? named[v.name] : given && Array.isArray(given) ? (given as readonly number[]) : undefined;
    if (!shape) {
      pending.push(v);
      continue;
    }
    const declared = v.shape;
    const full = declared && shape.length === declared.length - 1 ? [1, ...shape] : [...shape];
    if (declared && declared.length > 0 && full.length !== declared.length) {
      throw new InputError(`--input-shape ${shape.join(',')} does not fit input "${v.name}" of rank ${declared.length} (${describe(declared)})`);
    }
    const clash = declared?.findIndex((d, i) => isStatic(d) && d !== full[i]) ?? -1;
    if (clash >= 0) throw new InputError(`--input-shape ${shape.join(',')} for input "${v.name}": dim ${clash} is fixed to ${declared![clash]} in the model`);
    bind(declared, full);
    v.shape = full;
  }
  for (const v of pending) {
    if (!v.shape) continue;
    const shape = v.shape.map((d, i) => {
      if (isStatic(d)) return d;
      if (typeof d === 'string' && bound.has(d)) return bound.get(d)!;
      if (i === 0) {
        log.info(`${v.name}: batch dim ${d === null || d === '' ? '?' : d} fixed to 1`);
        return 1;
      }
      return d;
    });
    bind(v.shape, shape);
    v.shape = shape;
  }
  // A second look: a symbol bound by a later input (e.g. its batch) fixes an earlier one.
  for (const v of pending) if (v.shape) v.shape = v.shape.map((d) => (typeof d === 'string' && bound.has(d) ? bound.get(d)! : d));
  const dynamic = inputs.filter((v) => !v.shape || !v.shape.every(isStatic));
  if (dynamic.length > 0) {
    const list = dynamic.map((v) => `"${v.name}" ${describe(v.shape)}`).join(', ');
    const example = dynamic.map((v) => `--input-shape ${v.name}:${(v.shape ?? []).map((d) => (isStatic(d) ? d : 'N')).join(',')}`).join(' ');
    throw new InputError(`input${dynamic.length > 1 ? 's' : ''} ${list} ${dynamic.length > 1 ? 'have' : 'has a'} dynamic dimension${dynamic.length > 1 ? 's' : ''}: give ${dynamic.length > 1 ? 'their shapes' : 'its shape'}, e.g. ${example}`);
  }
  for (const v of [...g.outputs, ...g.valueInfo.values()]) {
    v.shape = v.shape?.map((d, i) => (typeof d === 'string' && bound.has(d) ? bound.get(d)! : i === 0 && g.outputs.includes(v) && !isStatic(d) ? 1 : d));
  }
}

function describe(shape: Dim[] | undefined): string {
  return shape ? `[${shape.map((d) => (d === null || d === '' ? '?' : d)).join(', ')}]` : '(no shape)';
}
