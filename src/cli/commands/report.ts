/** `espdl-autoquant report --run-dir D [--format md|html|json] [--out FILE]`: renders a search run folder. */
import { renderRunFolder, REPORT_FORMATS, writeRunFolderReport, type ReportFormat } from '../../app/report.js';
import { InputError } from '../../errors.js';
import { parseFlags } from '../args.js';
import { defineCommand, type CliContext, type Command } from '../command.js';

const USAGE = `Usage: espdl-autoquant report --run-dir DIR [--format md|html|json] [--out FILE]

Renders the Top-K of a search run folder (ours or ESP-PPQ's AutoQuant): a table with score, extras,
strategy, model size and files, and a score-vs-model-size chart (mermaid in md, inline SVG in html).

  --run-dir DIR     the run folder (summary.json, candidates.json, NNNN/)       [required]
  --format FMT      md (default), html (self-contained) or json
  --out FILE        write to FILE instead of standard output
  --json            same as --format json
`;

export const reportCommand: Command = defineCommand({
  name: 'report',
  summary: 'Render the Top-K of a search run folder as markdown, HTML or JSON',
  usage: USAGE,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values } = parseFlags('report', { args: argv, strict: true, options: {
      'run-dir': { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' },
    } });
    if (!values['run-dir']) throw new InputError(`report: --run-dir is required\n${USAGE}`);
    const format = values.json ? 'json' : (values.format ?? 'md');
    if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new InputError(`report: --format must be md, html or json, got ${format}`);
    const req = { runDir: values['run-dir'], format: format as ReportFormat, cwd: ctx.cwd };
    if (values.out) {
      await writeRunFolderReport({ ...req, out: values.out, outName: '--out' });
      ctx.stderr(`report written to ${values.out}\n`);
    } else ctx.stdout(await renderRunFolder(req));
    return 0;
  },
});
