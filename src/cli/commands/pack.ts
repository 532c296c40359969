/**
 * `espdl-autoquant pack a.espdl b.espdl -o models.espdl [--package-version v1.0]`: writes a PDL3 package like
 * ESP-DL's pack_espdl_models.py (entry names = file names; models ordered by name = device model index).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { InputError } from '../../errors.js';
import { parseFlags } from '../args.js';
import { packPdl3 } from '../../espdl/pack.js';
import { checkOutputs, readInputFile, resolveOutput, writeFileAtomic } from '../../node/safe-paths.js';
import { defineCommand, type CliContext, type Command } from '../command.js';

const usage = `Usage: espdl-autoquant pack MODEL.espdl... -o OUT.espdl [--package-version v1.0]

Packs several single .espdl models (EDL2) into one PDL3 package for ESP-DL's multi-model loader.
Entries are named by file name and ordered by name; load them on the device by name or index.

Options:
  -o, --output FILE        the package to write (required)
  --package-version TEXT   package_version string, at most 15 ASCII characters (default v1.0)
  -h, --help               this help`;

export const packCommand: Command = defineCommand({
  name: 'pack',
  summary: 'pack several .espdl models into one PDL3 package',
  usage,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const parsed = parseFlags('pack', {
      args: argv,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' }, 'package-version': { type: 'string' },
      },
    });
    const { values, positionals } = parsed;
    if (positionals.length === 0) throw new InputError(`pack: no model files given\n${usage}`);
    if (!values.output) throw new InputError(`pack: -o OUT.espdl is required\n${usage}`);
    const out = resolveOutput(ctx.cwd, values.output, '-o');
    const inputs = positionals.map((file) => ({ file: path.resolve(ctx.cwd, file), what: file }));
    await checkOutputs([{ file: out, what: '-o' }], inputs);
    const models = await Promise.all(inputs.map(async (p) => ({ name: path.basename(p.file), bytes: await readInputFile(p) })));
    const pkg = packPdl3(models, values['package-version'] ?? 'v1.0', (d) => new Uint8Array(createHash('sha256').update(d).digest()));
    await writeFileAtomic(out, pkg);
    const order = [...models].map((m) => m.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    ctx.stderr(`wrote ${values.output}: PDL3, ${pkg.byteLength} bytes, ${models.length} models (${order.map((n, i) => `${i}:${n}`).join(', ')})\n`);
    return 0;
  },
});
