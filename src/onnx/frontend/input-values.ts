/**
 * Inputs frozen to a constant value (our `--input-value NAME=VALUE`; ESP-PPQ has no equivalent). Some models
 * branch on an input that is a setting rather than data: Silero VAD takes its sample rate `sr` as an int64
 * input and picks its front end with `If(sr == 16000)`. ESP-DL has no `If` module, so such a model can only be
 * deployed for one value: given that value, the input becomes an initializer of the same name, the folding that
 * follows evaluates the comparison and the `If` is replaced by the branch it takes. The input is then no longer
 * a model input (the calibration data need not hold it; an array of that name in an .npz is ignored).
 */
import { InputError } from '../../errors.js';
import type { Dim, Graph } from '../../ir/graph.js';
import { allocate, numel, type DataType, type Tensor } from '../../ir/tensor.js';
import type { Logger } from '../../log.js';
import type { InputShapes } from './input-shapes.js';

/** Value per input name: one number (fills the input's shape) or every element in row-major order. */
export type InputValues = Readonly<Record<string, number | readonly number[]>>;

const INTEGER_TYPES: ReadonlySet<DataType> = new Set(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']);

/**
 * Replaces each input named in `values` by an initializer holding that value, in the input's own element type.
 * Its shape is the one `--input-shape` gives it, else its declared shape with a dynamic first dim taken as the
 * batch of 1. Throws naming the input when it does not exist, its shape stays dynamic, the element count does not
 * fit, or the value does not fit its type.
 */
export function freezeInputs(g: Graph, values: InputValues, shapes: InputShapes | undefined, log: Logger): void {
  const inputs = g.inputs.filter((v) => !g.initializers.has(v.name));
  const named = shapes && !Array.isArray(shapes) ? (shapes as Readonly<Record<string, readonly number[]>>) : undefined;
  for (const [name, given] of Object.entries(values)) {
    const value = typeof given === 'number' ? [given] : given;
    const input = inputs.find((v) => v.name === name);
    if (!input) {
      throw new InputError(`--input-value names "${name}", which is not an input of the model (inputs: ${inputs.map((i) => i.name).join(', ')})`);
    }
    const dims = frozenShape(name, named?.[name], input.shape);
    const count = numel(dims);
    if (value.length !== 1 && value.length !== count) {
      throw new InputError(`--input-value ${name}: ${value.length} numbers given for a tensor of ${count} elements (shape [${dims.join(', ')}]); give one number to fill it, or ${count}`);
    }
    g.initializers.set(name, tensorOf(name, input.dtype, dims, value));
    g.inputs = g.inputs.filter((v) => v !== input);
    log.info(`front end: input ${name} frozen to ${value.length === 1 ? value[0] : `[${value.join(', ')}]`} (${input.dtype}, shape [${dims.join(', ')}])`);
  }
}

function frozenShape(name: string, given: readonly number[] | undefined, declared: Dim[] | undefined): number[] {
  if (given) return declared && given.length === declared.length - 1 ? [1, ...given] : [...given];
  if (!declared) throw new InputError(`--input-value ${name}: the model does not declare the input's shape; give it with --input-shape ${name}:DIMS`);
  const dims = declared.map((d, i) => (typeof d === 'number' && d >= 0 ? d : i === 0 ? 1 : undefined));
  if (dims.some((d) => d === undefined)) {
    throw new InputError(`--input-value ${name}: the input's shape [${declared.map((d) => d ?? '?').join(', ')}] is dynamic; give it with --input-shape ${name}:DIMS`);
  }
  return dims as number[];
}

function tensorOf(name: string, dtype: DataType, dims: number[], value: readonly number[]): Tensor {
  const count = numel(dims);
  const at = (i: number) => value[value.length === 1 ? 0 : i]!;
  if (INTEGER_TYPES.has(dtype) || dtype === 'bool') {
    const bad = value.find((v) => !Number.isSafeInteger(v) || (dtype === 'bool' && v !== 0 && v !== 1));
    if (bad !== undefined) throw new InputError(`--input-value ${name}: ${bad} is not a valid ${dtype} value`);
  }
  const data = allocate(dtype, count);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < count; i++) data[i] = BigInt(at(i));
  } else if (dtype === 'float32' || dtype === 'float64' || INTEGER_TYPES.has(dtype) || dtype === 'bool') {
    const out = data as Exclude<typeof data, string[] | BigInt64Array | BigUint64Array>;
    for (let i = 0; i < count; i++) out[i] = at(i);
    const clipped = out.findIndex((v, i) => dtype !== 'float32' && dtype !== 'float64' && v !== at(i));
    if (clipped >= 0) throw new InputError(`--input-value ${name}: ${at(clipped)} does not fit ${dtype}`);
  } else {
    throw new InputError(`--input-value ${name}: inputs of type ${dtype} cannot be frozen (float32/64, integer and bool inputs can)`);
  }
  return { dtype, dims, data };
}
