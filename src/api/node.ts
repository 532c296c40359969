/** The `espdl-autoquant/node` entry: the file-level library API and the adapters on Node APIs it is built from. */
export { espdlQuantizeOnnx, type EspdlQuantizeOnnxParams, type EspdlQuantizeOnnxResult } from './quantize.js';
export { ortRuntime } from '../node/ort-runtime.js';
export { loadOnnxFile } from '../node/onnx-file.js';
export { openDataSource } from '../node/data-files.js';
export { espdlAutoQuantizeOnnx, AutoQuantSearchSetting, pyFloat, type EspdlAutoQuantizeOnnxParams, type EvaluateFn } from './auto-quantize.js';
