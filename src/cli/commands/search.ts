/**
 * `espdl-autoquant search`: the AutoQuant search (ESP-PPQ espdl_auto_quantize_onnx) from the command line.
 * `--dry-run` lists the experiments without loading the model; a real run needs an ExperimentRunner
 * factory (the quantization engine), injected through createSearchCommand / runSearchCommand.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { autoQuantize, type ExperimentProgress } from '../../autoquant/auto-quantize.js';
import { strategyValues, strategyHash } from '../../autoquant/hash.js';
import { dumps } from '../../autoquant/py-json.js';
import type { PyValue } from '../../autoquant/py-value.js';
import type { Evaluator, ExperimentRunner } from '../../autoquant/runner.js';
import { countShardExhaustive, iterExhaustive, iterFastStage1, type Shard } from '../../autoquant/search.js';
import { loadSettings, type AutoQuantSettings } from '../../autoquant/settings.js';
import { expandStrategies } from '../../autoquant/space.js';
import { TRAINING_MODULES } from '../../autoquant/spaces.js';
import { InputError, InternalError } from '../../errors.js';
import { commandEvaluator, moduleEvaluator } from '../../node/evaluators.js';
import { fsRunStore } from '../../node/run-folder.js';
import { topKTable } from '../../report/markdown.js';
import { loadRunReport, renderJson, strategySummary } from '../../report/run-report.js';
import { parseTarget } from '../../quant/targets.js';
import type { Target } from '../../quant/types.js';
import type { CliContext, Command } from '../command.js';
import { formatProgress } from './search-progress.js';

export const SEARCH_USAGE = `Usage: espdl-autoquant search --model M.onnx --calib DATA --target T [options]

Searches quantization settings (ESP-PPQ AutoQuant), writes every candidate to the run folder and keeps
the Top-K in candidates.json. The run folder is compatible with ESP-PPQ's (resume either way).

Options:
  --model FILE                 ONNX model
  --calib DATA                 calibration data (.npy, .npz or a folder of .npy)
  --target T                   esp32p4 | esp32s3 | esp32 | … | c
  --config FILE                autoquant.yml / .json (ESP-PPQ AutoQuantSearchSetting field names)
  --run-dir DIR                run folder (default: run_dir of the config, else outputs/auto_quant)
  --search-mode M              exhaustive | fast
  --num-of-candidates K        Top-K size (default 5)
  --max-experiments N          stop after N new experiments (resume later with --resume)
  --time-budget-minutes M      do not start a new experiment after M minutes
  --evaluate FILE.mjs          JS module: export default async function evaluate(ctx) → {score, extras}
  --evaluate-command CMD       shell command per candidate; {qdq_onnx} {espdl} {candidate_dir} are replaced;
                               its last stdout line must be JSON {"score": …, …extras}
  --score-direction D          maximize | minimize (custom evaluators; the default evaluator minimizes)
  --resume                     skip experiments already in the run folder's summary.json
  --dry-run                    list the experiments (exhaustive) or fast stage 1, without loading the model
  --json                       machine-readable output
  --shard i/n                  run the i-th of n deterministic parts (0-based), e.g. 0/4
  --calib-steps N              calibration batches per quantization (default 32)
  --batch-size B               samples per calibration batch (default 8)
  --input-shape S              fixes dynamic input dims, e.g. 1,3,224,224
`;

/** Parsed `search` flags. */
export interface SearchCliOptions {
  model?: string;
  calib?: string;
  target?: Target;
  config?: string;
  runDir?: string;
  searchMode?: 'exhaustive' | 'fast';
  numOfCandidates?: number;
  scoreDirection?: 'maximize' | 'minimize';
  maxExperiments?: number;
  timeBudgetMinutes?: number;
  evaluate?: string;
  evaluateCommand?: string;
  resume: boolean;
  dryRun: boolean;
  json: boolean;
  shard?: Shard;
  /** Forwarded to the runner. */
  calibSteps?: number;
  batchSize?: number;
  inputShape?: string;
}

function posInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InputError(`${flag} "${v}": expected a positive integer`);
  return n;
}

/** Parses `i/n` (0 <= i < n). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) {
    throw new InputError(`--shard "${text}": expected i/n with 0 <= i < n, e.g. 0/4`);
  }
  return { index: Number(m[1]), count: Number(m[2]) };
}

function oneOf<T extends string>(v: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new InputError(`${flag} "${v}": use one of ${allowed.join(', ')}`);
  return v as T;
}

/** argv → SearchCliOptions (InputError on bad flags). */
export function parseSearchArgs(argv: string[]): SearchCliOptions {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: {
      model: { type: 'string' }, calib: { type: 'string' }, target: { type: 'string' }, config: { type: 'string' },
      'run-dir': { type: 'string' }, 'search-mode': { type: 'string' }, 'num-of-candidates': { type: 'string' },
      'score-direction': { type: 'string' }, 'max-experiments': { type: 'string' }, 'time-budget-minutes': { type: 'string' },
      evaluate: { type: 'string' }, 'evaluate-command': { type: 'string' }, resume: { type: 'boolean' },
      'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, shard: { type: 'string' },
      'calib-steps': { type: 'string' }, 'batch-size': { type: 'string' }, 'input-shape': { type: 'string' },
    } }));
  } catch (e) {
    throw new InputError(`${(e as Error).message}\n\n${SEARCH_USAGE}`);
  }
  if (values.evaluate && values['evaluate-command']) throw new InputError('use either --evaluate or --evaluate-command, not both');
  const minutes = values['time-budget-minutes'];
  if (minutes !== undefined && !(Number(minutes) > 0)) throw new InputError(`--time-budget-minutes "${minutes}": expected a positive number`);
  return {
    model: values.model, calib: values.calib, target: values.target === undefined ? undefined : parseTarget(values.target),
    config: values.config, runDir: values['run-dir'],
    searchMode: oneOf(values['search-mode'], ['exhaustive', 'fast'] as const, '--search-mode'),
    numOfCandidates: posInt(values['num-of-candidates'], '--num-of-candidates'),
    scoreDirection: oneOf(values['score-direction'], ['maximize', 'minimize'] as const, '--score-direction'),
    maxExperiments: posInt(values['max-experiments'], '--max-experiments'),
    timeBudgetMinutes: minutes === undefined ? undefined : Number(minutes),
    evaluate: values.evaluate, evaluateCommand: values['evaluate-command'],
    resume: values.resume === true, dryRun: values['dry-run'] === true, json: values.json === true,
    shard: values.shard === undefined ? undefined : parseShard(values.shard),
    calibSteps: posInt(values['calib-steps'], '--calib-steps'), batchSize: posInt(values['batch-size'], '--batch-size'),
    inputShape: values['input-shape'],
  };
}

/** Settings from --config (if any) with the CLI flags applied over it. */
export async function searchSettings(opts: SearchCliOptions, cwd: string): Promise<AutoQuantSettings> {
  let text: string | undefined;
  if (opts.config !== undefined) {
    try {
      text = await readFile(path.resolve(cwd, opts.config), 'utf8');
    } catch (e) {
      throw new InputError(`--config ${opts.config}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  return loadSettings(text, opts.config ?? 'settings', {
    run_dir: opts.runDir, search_mode: opts.searchMode, num_of_candidates: opts.numOfCandidates,
    score_direction: opts.scoreDirection, resume: opts.resume || undefined,
  });
}

/** `--dry-run`: every exhaustive experiment, or fast stage 1, as {hash, strategy, params}; never loads the model. */
export function dryRun(settings: AutoQuantSettings, opts: SearchCliOptions, ctx: CliContext): number {
  const strategies = expandStrategies(settings.strategy_space, settings.param_space);
  const list = settings.search_mode === 'exhaustive'
    ? iterExhaustive(strategies, opts.shard) : iterFastStage1(strategies, settings.structural_knobs, opts.shard);
  if (opts.json) {
    let buf = '[';
    let n = 0;
    for (const e of list) {
      const item = dumps({ hash: strategyHash(e.strategy, e.params), strategy: strategyValues(e.strategy), params: e.params as PyValue });
      buf += `${n++ ? ',' : ''}\n${item}`;
      if (buf.length > 1 << 20) { ctx.stdout(buf); buf = ''; }
    }
    ctx.stdout(`${buf}${n ? '\n' : ''}]\n`);
    return 0;
  }
  const what = settings.search_mode === 'exhaustive'
    ? `${countShardExhaustive(strategies, opts.shard)} exhaustive experiments` : 'fast stage 1 (stage 2 depends on the scores)';
  ctx.stdout(`${strategies.length} strategies, ${what}${opts.shard ? ` in shard ${opts.shard.index}/${opts.shard.count}` : ''}\n`);
  let n = 0;
  for (const e of list) {
    if (n === 1000) { ctx.stdout('… (use --json for the full list)\n'); break; }
    ctx.stdout(`${String(n++).padStart(5)}  ${strategyHash(e.strategy, e.params).slice(0, 8)}  ` +
      `${strategySummary(strategyValues(e.strategy), e.params as never)}\n`);
  }
  const training = TRAINING_MODULES.filter((m) => settings.strategy_space[m]?.includes(true));
  if (training.length) ctx.stdout(`note: ${training.join(', ')} train each candidate block by block (seconds to minutes per candidate)\n`);
  const refine = settings.refine_with.filter((m) => !settings.strategy_space[m]?.includes(true));
  if (refine.length && !opts.shard) {
    ctx.stdout(`then: the best candidate is re-run with ${refine.join(', ')} (refine_with), unless the estimated training ` +
      `exceeds refine_max_minutes (${settings.refine_max_minutes})\n`);
  }
  return 0;
}

/** Makes the quantization engine for a real run (wired by the CLI entry / the lead). */
export type RunnerFactory = (opts: SearchCliOptions, ctx: CliContext) => Promise<ExperimentRunner>;

/** A real search: settings, evaluator, runner, progress, and the Top-K table at the end. */
export async function runSearchCommand(opts: SearchCliOptions, ctx: CliContext, makeRunner: RunnerFactory): Promise<number> {
  for (const [v, flag] of [[opts.model, '--model'], [opts.calib, '--calib'], [opts.target, '--target']] as const) {
    if (!v) throw new InputError(`missing ${flag}\n\n${SEARCH_USAGE}`);
  }
  const settings = await searchSettings(opts, ctx.cwd);
  const evaluator: Evaluator | undefined = opts.evaluateCommand
    ? commandEvaluator(opts.evaluateCommand, { cwd: ctx.cwd, env: ctx.env, logger: ctx.logger })
    : opts.evaluate ? await moduleEvaluator(opts.evaluate, ctx.cwd) : undefined;
  const runner = await makeRunner(opts, ctx);
  const store = fsRunStore(settings.run_dir, ctx.cwd);
  const progress = formatProgress(ctx);
  const res = await autoQuantize({
    settings, target: opts.target!, runner, evaluator, store, onnxImportFile: opts.model!,
    espdlExportFile: `${store.label}/model.espdl`, logger: quietLogger(ctx), signal: ctx.signal,
    maxExperiments: opts.maxExperiments, timeBudgetMinutes: opts.timeBudgetMinutes, shard: opts.shard,
    onExperiment: (p: ExperimentProgress) => progress.update(p),
  });
  progress.end();
  const report = await loadRunReport(store);
  if (opts.json) {
    ctx.stdout(renderJson({ ...report, stopped: res.stopped, newExperiments: res.newExperiments, skipped: res.skipped } as never));
  } else {
    ctx.stdout(`${topKTable(report)}\n`);
  }
  const tail = `${res.newExperiments} new, ${res.skipped} skipped; run folder ${store.resolve('')}`;
  ctx.stderr(res.stopped ? `search stopped (${res.stopped}): ${tail}; continue with --resume\n` : `search done: ${tail}\n`);
  return 0;
}

/** The per-experiment lines come from progress; keep the search's own info logs at debug level. */
function quietLogger(ctx: CliContext): CliContext['logger'] {
  return { debug: (m) => ctx.logger.debug(m), info: (m) => ctx.logger.debug(m), warn: (m) => ctx.logger.warn(m) };
}

/** The `search` command; `makeRunner` provides the quantization engine for real (non --dry-run) runs. */
export function createSearchCommand(makeRunner?: RunnerFactory): Command {
  return {
    name: 'search',
    summary: 'AutoQuant: search quantization settings, keep the Top-K',
    usage: SEARCH_USAGE,
    async run(argv, ctx) {
      const opts = parseSearchArgs(argv);
      if (opts.dryRun) return dryRun(await searchSettings(opts, ctx.cwd), opts, ctx);
      if (!makeRunner) throw new InternalError('search: no quantization engine is wired into this command (createSearchCommand(makeRunner))');
      return runSearchCommand(opts, ctx, makeRunner);
    },
  };
}

/** Default instance loaded by src/cli/main.ts: the real engine, imported only for non --dry-run runs. */
export const searchCommand: Command = createSearchCommand(async (opts, ctx) =>
  (await import('../../node/search-runner-factory.js')).realRunnerFactory(opts, ctx));
