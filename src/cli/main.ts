/**
 * The `espdl-autoquant` command line: picks a sub-command and maps errors to exit codes (0 ok, 1 failed gate,
 * 2 bad input/usage, 3 internal error). Commands are loaded lazily so `--help` and `inspect` stay fast and never
 * load the native ONNX runtime.
 */
import { describeError, exitCodeFor, EXIT, InputError } from '../errors.js';
import type { Command, CliContext } from './command.js';
import { packageVersion } from '../node/package-info.js';

type Loader = () => Promise<Command>;

/** Sub-commands by name (data, not a registry with state). */
export const COMMANDS: Readonly<Record<string, { summary: string; load: Loader }>> = {
  quantize: { summary: 'quantize one ONNX model for an ESP32 target (ESP-PPQ espdl_quantize_onnx)', load: async () => (await import('./commands/quantize.js')).quantizeCommand },
  search: { summary: 'AutoQuant: search quantization settings, keep the Top-K', load: async () => (await import('./commands/search.js')).searchCommand },
  report: { summary: 'render a search run folder (markdown, HTML, JSON)', load: async () => (await import('./commands/report.js')).reportCommand },
  inspect: { summary: 'print the structure of any .espdl file', load: async () => (await import('./commands/inspect.js')).inspectCommand },
  pack: { summary: 'pack several .espdl files into one PDL3 file', load: async () => (await import('./commands/pack.js')).packCommand },
  bench: { summary: 'benchmark candidates on ESP32 boards or QEMU', load: async () => (await import('./commands/bench.js')).benchCommand },
  estimate: { summary: 'estimate latency and memory of a model on a target', load: async () => (await import('./commands/estimate.js')).estimateCommand },
  demo: { summary: 'quantize and search the bundled example model', load: async () => (await import('./commands/demo.js')).demoCommand },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['Usage: espdl-autoquant <command> [options]', '', 'Commands:', ...lines, '',
    'Run `espdl-autoquant <command> --help` for the options of a command.', ''].join('\n');
}

export async function main(argv: string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    ctx.stdout(usage());
    return name ? EXIT.ok : EXIT.input;
  }
  if (name === '--version' || name === '-v') {
    ctx.stdout(`espdl-autoquant ${packageVersion()}\n`);
    return EXIT.ok;
  }
  const entry = COMMANDS[name];
  try {
    if (!entry) throw new InputError(`unknown command "${name}"\n\n${usage()}`);
    const command = await entry.load();
    return await command.run(rest, ctx);
  } catch (err) {
    const code = exitCodeFor(err);
    ctx.stderr(`espdl-autoquant ${name}: ${describeError(err)}\n`);
    if (code === EXIT.internal && ctx.env.ESPDL_DEBUG && err instanceof Error && err.stack) ctx.stderr(`${err.stack}\n`);
    return code;
  }
}
