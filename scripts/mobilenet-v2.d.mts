/** See mobilenet-v2.mjs. */
import type { Model } from '../src/ir/graph.js';
export function mobileNetV2(options?: { seed?: number; inputSize?: number; classes?: number }): Model;
