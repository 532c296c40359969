/**
 * The calibration set of the latency model: ESP-DL model-zoo files (parameters zeroed, gzipped) with ESP-DL's
 * published latencies, from test/fixtures/espdl-zoo/structure/ (provenance: test/fixtures/README.md).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { calibrationPoint, parseZooIndex, type ZooEntry } from '../../src/cost/calibration.js';
import type { CalibrationPoint } from '../../src/cost/fit.js';
import { REPO_ROOT } from './paths.js';

export const ZOO_DIR = path.join(REPO_ROOT, 'test/fixtures/espdl-zoo/structure');

export const zooEntries = (): ZooEntry[] => parseZooIndex(readFileSync(path.join(ZOO_DIR, 'latency.json'), 'utf8'), 'latency.json');

/** The `.espdl` bytes of a zoo entry (parameters zeroed). */
export const zooBytes = (e: ZooEntry): Uint8Array => new Uint8Array(gunzipSync(readFileSync(path.join(ZOO_DIR, e.file))));

export const zooPoints = (): CalibrationPoint[] => zooEntries().map((e) => calibrationPoint(e, zooBytes(e)));
