/** Atomic file writes and sibling paths of a candidate's files. */
import path from 'node:path';

export { writeFileAtomic } from './safe-paths.js';

/** `<dir>/<base><suffix>` for `<dir>/<base>.espdl` (model.qdq.onnx, model.info, model.json beside model.espdl). */
export function siblingPath(espdlPath: string, suffix: string): string {
  const parsed = path.parse(espdlPath);
  return path.join(parsed.dir, `${parsed.name}${suffix}`);
}
