/**
 * `espdl-autoquant inspect FILE [--json] [--canonical] [--key HEX] [--model NAME|INDEX]`: shows what is in a
 * `.espdl` file. Default output is esp-ppq's `.info` text; packages get a header line per model first.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../../errors.js';
import { parseFlags } from '../args.js';
import { canonicalView, pickModel, stringifyCanonical } from '../../espdl/canonical.js';
import { parseContainer } from '../../espdl/container.js';
import { parseHexKey } from '../../espdl/crypto.js';
import { formatInfo } from '../../espdl/info.js';
import { inspectJson } from '../../espdl/inspect-json.js';
import { readContainerModel } from '../../espdl/open-model.js';
import { nodeAesCtr } from '../../node/espdl-crypto.js';
import { readInputFile } from '../../node/files.js';
import { defineCommand, type CliContext, type Command } from '../command.js';
import path from 'node:path';

const usage = `Usage: espdl-autoquant inspect FILE [options]

Shows the contents of an .espdl model or a PDL3 package.

Options:
  --json              machine-readable description (headers, nodes, initializers with SHA-256, test values)
  --canonical         the order-independent canonical view used by parity tests (model.canonical.json form)
  --key HEX           16-byte AES key (32 hex digits) for encrypted models
  --model NAME|INDEX  one model of a package (default: all for text/--json; required for --canonical)
  -h, --help          this help`;

const nodeSha256 = (d: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(d).digest());

export const inspectCommand: Command = defineCommand({
  name: 'inspect',
  summary: 'show the structure of an .espdl file (.info text, --json, --canonical)',
  usage,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCliArgs(argv);
    if (positionals.length !== 1) throw new InputError(`inspect: expected one FILE, got ${positionals.length}\n${usage}`);
    const file = positionals[0];
    const bytes = await readInputFile(path.resolve(ctx.cwd, file), file);
    const key = values.key === undefined ? undefined : parseHexKey(values.key);
    const keyOpts = { key, aes: nodeAesCtr, what: file };
    const model = values.model === undefined ? undefined : /^\d+$/.test(values.model) ? Number(values.model) : values.model;
    if (values.canonical) {
      ctx.stdout(`${stringifyCanonical(canonicalView(bytes, { ...keyOpts, model }))}\n`);
    } else if (values.json) {
      const json = inspectJson(bytes, { ...keyOpts, sha256: nodeSha256 });
      ctx.stdout(`${JSON.stringify(model === undefined ? json : selectModel(json, model, file), null, 2)}\n`);
    } else {
      ctx.stdout(`${infoText(bytes, file, model, keyOpts)}\n`);
    }
    return 0;
  },
});

function parseCliArgs(argv: string[]) {
  return parseFlags('inspect', {
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' }, canonical: { type: 'boolean' }, key: { type: 'string' },
      model: { type: 'string' },
    },
  });
}

function selectModel(json: Record<string, unknown>, sel: string | number, file: string): Record<string, unknown> {
  const models = json.models as { name?: string }[];
  return { ...json, models: [pickModel(models, sel, file)] };
}

function infoText(bytes: Uint8Array, file: string, sel: string | number | undefined, opts: { key?: Uint8Array; aes: typeof nodeAesCtr }): string {
  const c = parseContainer(bytes, file);
  const entries = sel === undefined ? c.models : [pickModel(c.models, sel, file)];
  const parts: string[] = [];
  if (c.package) {
    const p = c.package;
    parts.push(`package ${c.format} version ${p.version}, ${p.size} bytes, ${c.models.length} models, sha256 ${p.sha256} (${p.sha256Ok ? 'ok' : 'MISMATCH'})`);
  }
  for (const entry of entries) {
    const label = entry.name ? `${file} [${entry.name}]` : file;
    if (c.models.length > 1) parts.push(`\n=== model ${c.models.indexOf(entry)}: ${entry.name} (${entry.header.magic}, ${entry.header.length} bytes) ===`);
    if (entry.header.mode === 1 && !opts.key) {
      parts.push(`encrypted model (${entry.header.length} bytes): pass --key HEX to decode it`);
      continue;
    }
    parts.push(formatInfo(readContainerModel(entry, label, opts)));
  }
  return parts.join('\n');
}
