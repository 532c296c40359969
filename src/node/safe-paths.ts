/**
 * The one place that decides whether a path the user named is safe to read, to write or to delete
 * (docs/security.md). Every shell (CLI, Action, library API) goes through it, so the rules hold everywhere:
 * - an input is read only when it is a regular file: a folder, a FIFO, a socket or a device is refused with
 *   an InputError (exit 2) instead of blocking forever or failing with an internal error;
 * - an output must not be an existing folder or special file, its folder must not be a file, and it must not
 *   be one of the command's inputs (the same file, whatever path names it);
 * - writes are atomic (temp file + rename), so an interrupted command leaves the old file or the new one;
 * - a run folder is reset only when that loses nothing that is not a run's (run-folder-claim.ts).
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs, type Dirent, type Stats } from 'node:fs';
import { open, readdir, readFile, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { parsePyJson } from '../autoquant/py-json.js';
import { InputError } from '../errors.js';

/**
 * Atomically replaces `file` (temp file in the same folder + fsync + rename + fsync of the folder): after a
 * crash at any moment the file holds the old or the new content, never a torn one.
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  // Persists the rename itself; not supported on every platform (Windows), where it is best effort.
  try {
    const d = await fs.open(dir, 'r');
    try { await d.sync(); } finally { await d.close(); }
  } catch { /* best effort */ }
}

/** A file named on the command line (or in a setting): its path and how to name it in messages. */
export interface NamedPath {
  file: string;
  /** e.g. "--model", "model file", "settings file". */
  what: string;
  /** The path as the user wrote it, shown instead of `file` in messages. */
  shown?: string;
}

const named = (p: NamedPath): string => p.shown ?? p.file;

// O_NONBLOCK makes open() of a FIFO return at once (a blocking open waits for a writer forever); it has no
// effect on regular files. Windows has no FIFOs in the file system and no such flag.
const OPEN_READ = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function openError(err: unknown, p: NamedPath): InputError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new InputError(`${p.what} not found: ${named(p)}`, { cause: err });
  if (code === 'EISDIR') return new InputError(`${p.what} ${named(p)} is a folder; expected a file`, { cause: err });
  if (code === 'EACCES' || code === 'EPERM') return new InputError(`${p.what} ${named(p)}: permission denied`, { cause: err });
  if (code === 'ENOTDIR') return new InputError(`${p.what} ${named(p)}: a part of the path is not a folder`, { cause: err });
  return new InputError(`${p.what} ${named(p)}: cannot read it (${code ?? (err as Error).message})`, { cause: err });
}

/** Opens an input for reading after checking (on the open handle, so nothing can swap it) that it is a regular file. */
export async function openInputFile(p: NamedPath): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(p.file, OPEN_READ);
  } catch (err) {
    throw openError(err, p);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new InputError(`${p.what} ${named(p)} is ${kindOf(st)}; expected a regular file`);
    return { handle, size: st.size };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** Reads a whole regular file; `maxBytes` refuses larger files before reading them. */
export async function readInputFile(p: NamedPath, opts: { maxBytes?: number } = {}): Promise<Uint8Array> {
  const { handle, size } = await openInputFile(p);
  try {
    if (opts.maxBytes !== undefined && size > opts.maxBytes) {
      throw new InputError(`${p.what} ${named(p)} is ${size} bytes; at most ${opts.maxBytes} are accepted`);
    }
    const out = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await handle.read(out, done, Math.min(size - done, 1 << 30), done);
      if (bytesRead === 0) throw new InputError(`${p.what} ${named(p)} shrank while being read`);
      done += bytesRead;
    }
    return out;
  } finally {
    await handle.close();
  }
}

/** Reads a regular file as UTF-8 text. */
export async function readInputText(p: NamedPath, opts: { maxBytes?: number } = {}): Promise<string> {
  return new TextDecoder().decode(await readInputFile(p, opts));
}

/** What an input path is: a regular file or a folder (anything else, or a missing path, is an InputError). */
export async function inputKind(p: NamedPath): Promise<'file' | 'folder'> {
  let st: Stats;
  try {
    st = await stat(p.file);
  } catch (err) {
    throw openError(err, p);
  }
  if (st.isDirectory()) return 'folder';
  if (st.isFile()) return 'file';
  throw new InputError(`${p.what} ${named(p)} is ${kindOf(st)}; expected a file or a folder`);
}

async function statOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') throw new InputError(`${file}: a part of the path is a file, not a folder`, { cause: err });
    throw err;
  }
}

/** The nearest existing ancestor of `file`'s folder must be a folder (else mkdir/rename fail late, after the work). */
async function checkParent(out: NamedPath): Promise<void> {
  let dir = path.dirname(path.resolve(out.file));
  for (;;) {
    const st = await statOrUndefined(dir);
    if (st) {
      if (!st.isDirectory()) throw new InputError(`${out.what} ${out.file}: ${dir} is a file, not a folder`);
      return;
    }
    const up = path.dirname(dir);
    if (up === dir) return;
    dir = up;
  }
}

/**
 * Creates the folder `p.file` (and its parents) unless it exists; InputError when it or an ancestor is a file
 * (mkdir would fail with a bare EEXIST/ENOTDIR, an internal error).
 */
export async function makeFolder(p: NamedPath): Promise<void> {
  const st = await statOrUndefined(p.file);
  if (st?.isDirectory()) return;
  if (st) throw new InputError(`${p.what} ${p.file} is ${st.isFile() ? 'a file' : kindOf(st)}, not a folder; give a folder (new or empty for a new run)`);
  await checkParent(p);
  await fs.mkdir(p.file, { recursive: true });
}

/** `root/name`, refused (InputError) when `name` is absolute or climbs out of `root` with `..`. */
export function insideFolder(root: string, name: string): string {
  const full = path.resolve(root, name);
  const rel = path.relative(root, full);
  if (path.isAbsolute(name) || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new InputError(`'${name}' points outside the folder ${root}`);
  }
  return full;
}

/** Resolves an output path as the user typed it; a trailing separator means a folder, which is refused. */
export function resolveOutput(cwd: string, text: string, what: string): string {
  if (/[\\/]$/.test(text)) throw new InputError(`${what} ${text} names a folder; give a file name, e.g. ${path.join(text, 'model.espdl')}`);
  return path.resolve(cwd, text);
}

/**
 * Checks, before any work, that every output may be written: not an existing folder or special file (a FIFO
 * would block the write), its folder creatable, and not the same file as any input (checked by device and
 * inode, so another spelling, a symlink or a hard link of an input is caught too). Inputs that do not exist
 * are ignored (their readers report them).
 */
export async function checkOutputs(outputs: readonly NamedPath[], inputs: readonly NamedPath[]): Promise<void> {
  const inputStats: { p: NamedPath; st: Stats }[] = [];
  for (const p of inputs) {
    const st = await statOrUndefined(p.file).catch(() => undefined);
    if (st) inputStats.push({ p, st });
  }
  for (const out of outputs) {
    if (/[\\/]$/.test(out.file)) throw new InputError(`${out.what} ${out.file} names a folder; give a file name, e.g. ${path.join(out.file, 'model.espdl')}`);
    const st = await statOrUndefined(out.file);
    if (st?.isDirectory()) throw new InputError(`${out.what} ${out.file} is a folder; give a file name, e.g. ${path.join(out.file, 'model.espdl')}`);
    if (st && !st.isFile()) throw new InputError(`${out.what} ${out.file} is ${kindOf(st)}; outputs must be regular files`);
    if (!st) await checkParent(out);
    const same = st && inputStats.find((i) => i.st.dev === st.dev && i.st.ino === st.ino);
    if (same) {
      throw new InputError(`${out.what} ${out.file} is the same file as ${same.p.what} ${same.p.file}: writing it would destroy the input; choose another output`);
    }
  }
}

/**
 * Our mark on a run folder this tool created or reset (ESP-PPQ ignores it). With it, a new search may reset
 * the folder as ESP-PPQ's reset_run_dir does; without it, only when that loses nothing that is not a run's.
 */
export const RUN_FOLDER_MARKER = '.espdl-autoquant-run.json';
/** The lock a search holds on its run folder (file-lock.ts). */
export const RUN_FOLDER_LOCK = '.espdl-autoquant-run.lock';

const RUN_FILES = ['summary.json', 'candidates.json'] as const;

async function readJsonList(file: string): Promise<unknown[] | undefined> {
  try {
    const v = parsePyJson(await readFile(file, 'utf8'), file);
    return Array.isArray(v) && v.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r)) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The files a run folder owns — its run files and marker, and everything in its numbered experiment folders —
 * as inputs no output may replace (`report --out run/summary.json` would destroy the run it reports).
 * Other files at its top level (a report written there earlier) are the user's to overwrite.
 */
export async function runFolderFiles(root: string): Promise<NamedPath[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => [] as Dirent[]);
  const out: NamedPath[] = [];
  for (const e of entries) {
    const file = path.join(root, e.name);
    if ([...RUN_FILES, RUN_FOLDER_MARKER, RUN_FOLDER_LOCK].includes(e.name)) out.push({ file, what: 'run file' });
    else if (e.isDirectory() && /^\d+$/.test(e.name)) {
      for (const f of await readdir(file, { recursive: true, withFileTypes: true })) {
        if (f.isFile()) out.push({ file: path.join(f.parentPath, f.name), what: 'experiment file' });
      }
    }
  }
  return out;
}

/** What a run folder holds, as far as a reset is concerned. */
export interface RunFolderState {
  exists: boolean;
  marked: boolean;
  /** summary.json and candidates.json are both JSON lists of objects (ESP-PPQ's run files). */
  runFiles: boolean;
  /** What a reset would delete or replace that does not look like a run's, with why. */
  foreign: string[];
}

/**
 * Decides what a reset of `root` (delete every all-digit subfolder, write `[]` to both run files) would lose.
 * ESP-PPQ's own run folders carry no marker; they are recognised by their two run files, and then each numbered
 * subfolder must be an experiment of that run: listed in summary.json by index, holding a config.json, or empty.
 */
export async function inspectRunFolder(root: string): Promise<RunFolderState> {
  let entries: Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { exists: false, marked: false, runFiles: false, foreign: [] };
    if (code === 'ENOTDIR') throw new InputError(`run folder ${root} is a file, not a folder`, { cause: err });
    throw err;
  }
  const names = new Set(entries.map((e) => e.name));
  const marked = names.has(RUN_FOLDER_MARKER);
  const digitDirs = entries.filter((e) => e.isDirectory() && /^\d+$/.test(e.name)).map((e) => e.name);
  const present = RUN_FILES.filter((f) => names.has(f));
  const lists = await Promise.all(present.map((f) => readJsonList(path.join(root, f))));
  const runFiles = present.length === RUN_FILES.length && lists.every((l) => l !== undefined);
  if (marked) return { exists: true, marked, runFiles, foreign: [] };
  const foreign: string[] = [];
  if (!runFiles) {
    present.forEach((f, i) => foreign.push(lists[i] === undefined ? `${f} (not a run's list of records)` : `${f} (without its partner ${RUN_FILES.find((o) => o !== f)})`));
  }
  const indices = new Set((lists[0] ?? []).map((r) => (r as { index?: unknown }).index).filter((i) => typeof i === 'number'));
  for (const d of digitDirs) {
    if (runFiles && indices.has(Number(d))) continue;
    const inside = await readdir(path.join(root, d));
    // Deleting an empty folder loses nothing; a folder with a config.json is an experiment of an ESP-PPQ run.
    if (inside.length === 0 || (runFiles && inside.includes('config.json'))) continue;
    foreign.push(`${d}/${runFiles ? ' (not an experiment of this run)' : ''}`);
  }
  return { exists: true, marked, runFiles, foreign };
}

/** Throws InputError unless resetting `root` for a new search loses nothing that is not a run's. */
export async function checkRunFolderReset(root: string): Promise<RunFolderState> {
  const state = await inspectRunFolder(root);
  if (state.foreign.length > 0) {
    const shown = state.foreign.slice(0, 5).join(', ') + (state.foreign.length > 5 ? `, … (${state.foreign.length} in all)` : '');
    throw new InputError(
      `run folder ${root} is not a search's run folder: a new search would delete or overwrite ${shown}. ` +
        'Choose a new or empty folder (--run-dir, or run_dir in the settings), move those away, or continue the run with --resume.',
    );
  }
  return state;
}

/** Writes the ownership marker (idempotent; atomic like every run-folder file). */
export async function markRunFolder(root: string): Promise<void> {
  await writeFileAtomic(path.join(root, RUN_FOLDER_MARKER), `${JSON.stringify({ tool: 'espdl-autoquant', kind: 'run folder' })}\n`);
}
