/** Node entry point (`espdl-autoquant/node`): the file-level API and the adapters on Node APIs. */
export { espdlQuantizeOnnx, type EspdlQuantizeOnnxParams, type EspdlQuantizeOnnxResult } from './api.js';
export { ortRuntime } from './ort-runtime.js';
export { loadOnnxFile } from './onnx-file.js';
export { openDataSource } from './data-files.js';
export { espdlAutoQuantizeOnnx, AutoQuantSearchSetting, pyFloat, type EspdlAutoQuantizeOnnxParams, type EvaluateFn } from './auto-api.js';
