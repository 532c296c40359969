/** Atomic file writes (temp file + rename): an interrupted run never leaves a torn file behind. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/** `<dir>/<base><suffix>` for `<dir>/<base>.espdl` (model.qdq.onnx, model.info, model.json beside model.espdl). */
export function siblingPath(espdlPath: string, suffix: string): string {
  const parsed = path.parse(espdlPath);
  return path.join(parsed.dir, `${parsed.name}${suffix}`);
}
