/** Loads an ONNX model file from disk, resolving external tensor data files next to it (safely). */
import { closeSync, constants, openSync, readSync, realpathSync, fstatSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import { decodeModel } from '../onnx/read.js';
import { readInputFile } from './safe-paths.js';

/**
 * Reads and decodes `file`. External data (`location` in a tensor's external_data) must be a relative path
 * whose real path stays inside the model's folder; anything else is rejected with InputError naming it,
 * so a model cannot make us read arbitrary files.
 */
export async function loadOnnxFile(file: string): Promise<Model> {
  const bytes = await readInputFile({ file, what: 'model file' });
  const external = externalReader(file);
  try {
    return decodeModel(bytes, { source: file, resolveExternal: external.read });
  } finally {
    external.close();
  }
}

function externalReader(modelFile: string): { read: (loc: string, offset: number, length: number | undefined) => Uint8Array; close: () => void } {
  const fds = new Map<string, number>();
  const dir = path.dirname(path.resolve(modelFile));
  const open = (location: string): number => {
    const cached = fds.get(location);
    if (cached !== undefined) return cached;
    const target = safeExternalPath(dir, location, modelFile);
    // Non-blocking so a FIFO cannot hang the open; then only a regular file is accepted.
    const fd = openSync(target, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    if (!fstatSync(fd).isFile()) {
      closeSync(fd);
      throw new InputError(`external data '${location}' of model ${modelFile} is not a regular file`);
    }
    fds.set(location, fd);
    return fd;
  };
  const read = (location: string, offset: number, length: number | undefined): Uint8Array => {
    const fd = open(location);
    const size = fstatSync(fd).size;
    const n = length ?? size - offset;
    if (offset + n > size) {
      throw new InputError(`external data file ${location} of ${modelFile} is too short: needs ${offset + n} bytes, has ${size}`);
    }
    const out = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const got = readSync(fd, out, done, n - done, offset + done);
      if (got === 0) break;
      done += got;
    }
    return out;
  };
  return { read, close: () => { for (const fd of fds.values()) closeSync(fd); } };
}

function safeExternalPath(dir: string, location: string, modelFile: string): string {
  if (path.isAbsolute(location) || path.win32.isAbsolute(location)) {
    throw new InputError(`model ${modelFile} points to external data at the absolute path '${location}'; only files next to the model are allowed`);
  }
  const target = path.resolve(dir, location);
  let real: string;
  let realDir: string;
  try {
    realDir = realpathSync(dir);
    real = realpathSync(target);
  } catch {
    throw new InputError(`external data file '${location}' of model ${modelFile} not found (looked for ${target})`);
  }
  const rel = path.relative(realDir, real);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new InputError(`external data file '${location}' of model ${modelFile} resolves to ${real}, outside the model's folder ${realDir}`);
  }
  return real;
}
