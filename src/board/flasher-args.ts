/**
 * `build/flasher_args.json`, written by ESP-IDF's build (what `idf.py flash`, pytest-embedded and esptool
 * read): which file goes to which flash offset, the flash settings and the chip. Offsets are taken from
 * here, never hard-coded (the bootloader sits at 0x1000 on esp32, 0x0 on esp32s3/c3, 0x2000 on esp32p4).
 */
import { z } from 'zod';
import { InputError } from '../errors.js';

const hexOffset = z.string().regex(/^0x[0-9a-fA-F]+$/);
const namedFile = z.object({ offset: hexOffset, file: z.string() });

const flasherArgsSchema = z.object({
  flash_files: z.record(hexOffset, z.string()),
  flash_settings: z.object({ flash_mode: z.string(), flash_size: z.string(), flash_freq: z.string() }),
  write_flash_args: z.array(z.string()).optional(),
  extra_esptool_args: z.object({ chip: z.string(), before: z.string().optional(), after: z.string().optional(), stub: z.boolean().optional() }),
  bootloader: namedFile.optional(),
  app: namedFile.optional(),
  'partition-table': namedFile.optional(),
}).loose();

/** One image to write: offset in flash and the path relative to the build directory. */
export interface FlashFile {
  readonly offset: number;
  readonly file: string;
}

export interface FlasherArgs {
  readonly chip: string;
  readonly flashMode: string;
  /** e.g. '8MB', or 'keep'/'detect'. */
  readonly flashSize: string;
  readonly flashFreq: string;
  /** Every file of `flash_files`, by ascending offset. */
  readonly files: readonly FlashFile[];
  readonly bootloader?: FlashFile;
  readonly app?: FlashFile;
  readonly partitionTable?: FlashFile;
  /** Entries named after a partition (added by `esptool_py_flash_to_partition`), e.g. `model`. */
  readonly partitions: Readonly<Record<string, FlashFile>>;
}

const KNOWN = new Set(['flash_files', 'flash_settings', 'write_flash_args', 'extra_esptool_args', 'bootloader', 'app', 'partition-table']);

/** Parses the JSON text; InputError names the file and the field. */
export function parseFlasherArgs(text: string, fileName = 'flasher_args.json'): FlasherArgs {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${fileName}: not JSON (${(err as Error).message})`);
  }
  const parsed = flasherArgsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${fileName}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const a = parsed.data;
  const toFile = (f: { offset: string; file: string }): FlashFile => ({ offset: Number.parseInt(f.offset, 16), file: f.file });
  const partitions: Record<string, FlashFile> = {};
  for (const [key, value] of Object.entries(a)) {
    const named = namedFile.safeParse(value);
    if (!KNOWN.has(key) && named.success) partitions[key] = toFile(named.data);
  }
  return {
    chip: a.extra_esptool_args.chip,
    flashMode: a.flash_settings.flash_mode,
    flashSize: a.flash_settings.flash_size,
    flashFreq: a.flash_settings.flash_freq,
    files: Object.entries(a.flash_files).map(([offset, file]) => toFile({ offset, file })).sort((x, y) => x.offset - y.offset),
    ...(a.bootloader ? { bootloader: toFile(a.bootloader) } : {}),
    ...(a.app ? { app: toFile(a.app) } : {}),
    ...(a['partition-table'] ? { partitionTable: toFile(a['partition-table']) } : {}),
    partitions,
  };
}
