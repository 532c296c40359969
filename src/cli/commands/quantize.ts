/** `espdl-autoquant quantize`: one quantization with fixed settings (ESP-PPQ espdl_quantize_onnx), via src/app/quantize.ts. */
import { quantizeModel } from '../../app/quantize.js';
import { InputError } from '../../errors.js';
import { parseInputShapes, parseInputValues } from '../../app/input-shape.js';
import { parseBits, parseTarget } from '../../quant/targets.js';
import { CALIB_ALGORITHMS, type ObserverName } from '../../quant/types.js';
import { parseFlags, parsePositiveInt, requireFlag, splitList } from '../args.js';
import { defineCommand, type Command } from '../command.js';
import { formatQuantizeSummary, quantizeJson } from '../format-quantize.js';

const usage = `Usage: espdl-autoquant quantize --model M.onnx --calib DATA --target T [options]

Quantizes one ONNX model for ESP-DL with fixed settings (like ESP-PPQ's espdl_quantize_onnx) and writes
model.qdq.onnx (a fake-quantized ONNX any runtime can run), model.espdl, model.info and model.json.

Options:
  --model FILE            ONNX model (opset 7–23), as the exporter wrote it
  --calib DATA            calibration data: .npy (first axis = samples), .npz, or a folder of .npy files
  --target T              esp32p4 | esp32s31 | esp32s3 | esp32 | esp32s2 | esp32c2 | esp32c3 | esp32c5 | esp32c6 | c
  --bits 8|16             bit width (default 8)
  --calib-algorithm A     kl | minmax | percentile | mse (default kl, as ESP-PPQ)
  --calib-steps N         calibration batches (default 32; repeats the data if it has fewer)
  --batch-size B          samples per calibration batch (default 8)
  --int16-layers a,b      node names to run in int16 (mixed precision)
  --input-shape S         fixes dynamic input dims: 1,3,224,224, or NAME:DIMS per input (repeat the flag)
  --input-value NAME=V    freezes an input to a constant (e.g. sr=16000: a setting an If branches on); repeatable
  --out FILE              output .espdl path (default ./out/model.espdl); the other files go beside it
  --layerwise             also report layer-wise error (slower)
  --export-test-values    embed a test input/output so Model::test() can check the file on the device
  --test-input FILE.npy   the test input (first sample); default: seeded standard-normal input
  --encrypt-key HEX       encrypt the .espdl payload with this AES-128 key (32 hex digits)
  --json                  print one JSON object (exponents, bits, graphwise_snr, top3_mean, fp32_nodes, timings_ms)
`;

export const quantizeCommand: Command = defineCommand({
  name: 'quantize',
  summary: 'quantize one ONNX model for an ESP32 target',
  usage,
  async run(argv, ctx) {
    const { values } = parseFlags('quantize', {
      args: argv, allowPositionals: false, strict: true,
      options: {
        model: { type: 'string' }, calib: { type: 'string' }, target: { type: 'string' }, bits: { type: 'string' },
        'calib-algorithm': { type: 'string' }, 'calib-steps': { type: 'string' }, 'batch-size': { type: 'string' },
        'int16-layers': { type: 'string' }, 'input-shape': { type: 'string', multiple: true },
        'input-value': { type: 'string', multiple: true }, out: { type: 'string' },
        layerwise: { type: 'boolean' }, json: { type: 'boolean' }, 'export-test-values': { type: 'boolean' },
        'test-input': { type: 'string' }, 'encrypt-key': { type: 'string' },
      },
    });
    const target = parseTarget(requireFlag(values.target, '--target', usage));
    const bits = parseBits(values.bits ?? 8);
    const algo = values['calib-algorithm'] ?? 'kl';
    if (!(CALIB_ALGORITHMS as readonly string[]).includes(algo)) {
      throw new InputError(`--calib-algorithm "${algo}": use one of ${CALIB_ALGORITHMS.join(', ')}`);
    }
    const calibSteps = parsePositiveInt(values['calib-steps'], '--calib-steps', 32);
    const inputShape = parseInputShapes(values['input-shape'] ?? [], '--input-shape');
    const inputValues = parseInputValues(values['input-value'] ?? [], '--input-value');
    const result = await quantizeModel({
      model: requireFlag(values.model, '--model', usage), calib: requireFlag(values.calib, '--calib', usage), target, bits,
      options: { calibAlgorithm: algo as ObserverName, calibSteps, int16Layers: splitList(values['int16-layers']) },
      ...(inputShape ? { inputShape } : {}), ...(inputValues ? { inputValues } : {}), out: values.out ?? 'out/model.espdl',
      batchSize: parsePositiveInt(values['batch-size'], '--batch-size', 8),
      analysis: { graphwise: true, layerwise: values.layerwise === true },
      export: {
        testValues: values['export-test-values'] === true,
        ...(values['test-input'] ? { testInput: values['test-input'] } : {}),
        ...(values['encrypt-key'] ? { encryptKey: values['encrypt-key'] } : {}),
      },
      cwd: ctx.cwd, logger: ctx.logger, signal: ctx.signal,
      names: { model: '--model', out: '--out', key: '--encrypt-key', testInput: '--test-input' },
    });
    ctx.stdout(values.json ? `${JSON.stringify(quantizeJson(result, result.options))}\n` : formatQuantizeSummary(result, result.options));
    return 0;
  },
});
