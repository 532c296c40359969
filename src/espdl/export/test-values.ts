/**
 * Test values embedded in the `.espdl` (docs/esp-ppq.md §5.7; espdl_exporter.py build_test_value_proto): each float
 * tensor (ONNX layout) is permuted into the variable's ESP-DL layout and quantized with the variable's config.
 */
import type { Tensor } from '../../ir/tensor.js';
import { toFloat32 } from '../../ir/tensor.js';
import { InputError } from '../../errors.js';
import type { FbTensor } from './build-flatbuffer.js';
import { transposeFlat } from './filter-layout.js';
import type { FlatData } from './filter-layout.js';
import { quantizeValuesToInt } from './to-int.js';
import type { XGraph } from './xgraph.js';
import { permute } from './xgraph.js';

function testTensor(g: XGraph, name: string, t: Tensor): FbTensor {
  if (!g.vars.has(name) || g.vars.get(name)!.value) {
    throw new InputError(`test value "${name}" is not an input or output value of the model`);
  }
  const dims0 = t.dims.length === 0 ? [1] : [...t.dims];
  const perm = g.perm.get(name);
  const permuted = perm !== undefined && perm.length > 0;
  if (permuted && perm.length !== dims0.length) {
    throw new InputError(`test value ${name}: rank ${dims0.length} does not match the model (${perm.length})`);
  }
  const dims = permuted ? permute(dims0, perm) : dims0;
  const cfg = g.varConfig.get(name);
  const exponents = g.exponents.get(name) ?? [0];
  if (!cfg) {
    // Not quantized (float or bool outputs): stored in the tensor's own type.
    const data = permuted ? transposeFlat(t.data as FlatData, dims0, perm) : t.data;
    return { name, dtype: t.dtype, dims, data, exponents };
  }
  let values = toFloat32(t);
  if (permuted) values = transposeFlat(values, dims0, perm);
  const q = quantizeValuesToInt(values, dims, cfg);
  return { name, dtype: q.dtype, dims, data: q.data, exponents };
}

/** Quantized, permuted test tensors for `Graph.test_inputs_value` / `test_outputs_value`. */
export function buildTestValues(g: XGraph, values: Record<string, Tensor>): FbTensor[] {
  return Object.entries(values).map(([name, t]) => testTensor(g, name, t));
}
