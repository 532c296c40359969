/**
 * Which op inputs carry values that are never quantized (shapes, indices, axes, scales …): ESP-PPQ's op
 * sockets mark them SOI and the quantizer gives them an FP32 config (esp_ppq/IR/opdef.py socket table).
 * Everything not listed here is a quantizable value or parameter.
 */
const NON_QUANT_INPUTS: Readonly<Record<string, readonly number[] | 'allButFirst'>> = {
  Reshape: [1],
  Slice: 'allButFirst',
  Gather: 'allButFirst',
  GatherElements: [1],
  GatherND: [1],
  Pad: [1, 3],
  Resize: [1, 2, 3],
  Interp: [1, 2, 3],
  Split: [1],
  Squeeze: [1],
  Unsqueeze: [1],
  Tile: [1, 2],
  Expand: [1],
  TopK: [1],
  ReduceL1: [1], ReduceL2: [1], ReduceMean: [1], ReduceMin: [1], ReduceMax: [1], ReduceProd: [1],
  ReduceSum: [1], ReduceSumSquare: [1], ReduceLogSum: [1], ReduceLogSumExp: [1],
  ScatterND: [1],
  ReverseSequence: [1],
  ConstantOfShape: [0],
};

/** True when input slot `index` of an op of `opType` is a quantizable value. */
export function isQuantizableInput(opType: string, index: number): boolean {
  const rule = NON_QUANT_INPUTS[opType];
  if (!rule) return true;
  if (rule === 'allButFirst') return index === 0;
  return !rule.includes(index);
}
