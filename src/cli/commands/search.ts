/**
 * `espdl-autoquant search`: the AutoQuant search (ESP-PPQ espdl_auto_quantize_onnx) from the command line.
 * Parses the flags into a SearchRequest for the search use case (src/app/search.ts) and prints its result;
 * `--dry-run` prints the plan (src/app/search-plan.ts) without loading the model.
 */
import type { ExperimentRunnerFactory } from '../../autoquant/runner.js';
import { dumps } from '../../autoquant/py-json.js';
import type { PyValue } from '../../autoquant/py-value.js';
import { parseShardSpec, type Shard } from '../../autoquant/search.js';
import { SCORE_DIRECTIONS, type ScoreDirection } from '../../autoquant/settings.js';
import { runSearch, loadSearchSettings, type EvaluatorSpec, type SearchRequest, type SearchResult } from '../../app/search.js';
import { planSearch } from '../../app/search-plan.js';
import { exitCodeFor, InputError, InternalError, InterruptedError } from '../../errors.js';
import { parseFlags } from '../args.js';
import { parseInputShapes, parseInputValues } from '../../app/input-shape.js';
import type { InputShapes, InputValues } from '../../onnx/frontend/index.js';
import { searchEndLine } from '../../report/progress.js';
import { strategyLines, topKTable } from '../../report/markdown.js';
import { renderJson, strategySummary, type RunReport } from '../../report/run-report.js';
import { parseTarget } from '../../quant/targets.js';
import type { Target } from '../../quant/types.js';
import { defineCommand, type CliContext, type Command } from '../command.js';
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
  --input-shape S              fixes dynamic input dims: 1,3,224,224, or NAME:DIMS per input (repeat the flag)
  --input-value NAME=V         freezes an input to a constant (e.g. sr=16000: a setting an If branches on); repeatable
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
  scoreDirection?: ScoreDirection;
  maxExperiments?: number;
  timeBudgetMinutes?: number;
  evaluate?: string;
  evaluateCommand?: string;
  resume: boolean;
  dryRun: boolean;
  json: boolean;
  shard?: Shard;
  calibSteps?: number;
  batchSize?: number;
  inputShape?: InputShapes;
  inputValues?: InputValues;
}

function posInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InputError(`${flag} "${v}": expected a positive integer`);
  return n;
}

/** Parses `i/n` (0 <= i < n). */
export function parseShard(text: string): Shard {
  const shard = parseShardSpec(text);
  if (!shard) throw new InputError(`--shard "${text}": expected i/n with 0 <= i < n, e.g. 0/4`);
  return shard;
}

function oneOf<T extends string>(v: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new InputError(`${flag} "${v}": use one of ${allowed.join(', ')}`);
  return v as T;
}

/** argv → SearchCliOptions (InputError on bad flags). */
export function parseSearchArgs(argv: string[]): SearchCliOptions {
  const { values } = parseFlags('search', { args: argv, strict: true, allowPositionals: false, options: {
    model: { type: 'string' }, calib: { type: 'string' }, target: { type: 'string' }, config: { type: 'string' },
    'run-dir': { type: 'string' }, 'search-mode': { type: 'string' }, 'num-of-candidates': { type: 'string' },
    'score-direction': { type: 'string' }, 'max-experiments': { type: 'string' }, 'time-budget-minutes': { type: 'string' },
    evaluate: { type: 'string' }, 'evaluate-command': { type: 'string' }, resume: { type: 'boolean' },
    'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, shard: { type: 'string' },
    'calib-steps': { type: 'string' }, 'batch-size': { type: 'string' }, 'input-shape': { type: 'string', multiple: true },
    'input-value': { type: 'string', multiple: true },
  } });
  if (values.evaluate && values['evaluate-command']) throw new InputError('use either --evaluate or --evaluate-command, not both');
  const minutes = values['time-budget-minutes'];
  if (minutes !== undefined && !(Number(minutes) > 0)) throw new InputError(`--time-budget-minutes "${minutes}": expected a positive number`);
  return {
    model: values.model, calib: values.calib, target: values.target === undefined ? undefined : parseTarget(values.target),
    config: values.config, runDir: values['run-dir'],
    searchMode: oneOf(values['search-mode'], ['exhaustive', 'fast'] as const, '--search-mode'),
    numOfCandidates: posInt(values['num-of-candidates'], '--num-of-candidates'),
    scoreDirection: oneOf(values['score-direction'], SCORE_DIRECTIONS, '--score-direction'),
    maxExperiments: posInt(values['max-experiments'], '--max-experiments'),
    timeBudgetMinutes: minutes === undefined ? undefined : Number(minutes),
    evaluate: values.evaluate, evaluateCommand: values['evaluate-command'],
    resume: values.resume === true, dryRun: values['dry-run'] === true, json: values.json === true,
    shard: values.shard === undefined ? undefined : parseShard(values.shard),
    calibSteps: posInt(values['calib-steps'], '--calib-steps'), batchSize: posInt(values['batch-size'], '--batch-size'),
    inputShape: parseInputShapes(values['input-shape'] ?? [], '--input-shape'),
    inputValues: parseInputValues(values['input-value'] ?? [], '--input-value'),
  };
}

/** The settings part of the request: --config with the flags applied over it. */
function settingsRequest(opts: SearchCliOptions, cwd: string): Pick<SearchRequest, 'config' | 'overrides' | 'cwd'> {
  return {
    config: opts.config, cwd,
    overrides: {
      run_dir: opts.runDir, search_mode: opts.searchMode, num_of_candidates: opts.numOfCandidates,
      score_direction: opts.scoreDirection, resume: opts.resume || undefined,
    },
  };
}

/** `--dry-run`: every exhaustive experiment, or fast stage 1, as {hash, strategy, params}; never loads the model. */
export async function dryRun(opts: SearchCliOptions, ctx: CliContext): Promise<number> {
  const plan = planSearch(await loadSearchSettings(settingsRequest(opts, ctx.cwd)), opts.shard);
  if (opts.json) {
    let buf = '[';
    let n = 0;
    for (const e of plan.candidates) {
      const item = dumps({ hash: e.hash, strategy: e.strategy, params: e.params as PyValue });
      buf += `${n++ ? ',' : ''}\n${item}`;
      if (buf.length > 1 << 20) { ctx.stdout(buf); buf = ''; }
    }
    ctx.stdout(`${buf}${n ? '\n' : ''}]\n`);
    return 0;
  }
  const what = plan.experimentCount !== undefined ? `${plan.experimentCount} exhaustive experiments` : 'fast stage 1 (stage 2 depends on the scores)';
  ctx.stdout(`${plan.strategies} strategies, ${what}${opts.shard ? ` in shard ${opts.shard.index}/${opts.shard.count}` : ''}\n`);
  let n = 0;
  for (const e of plan.candidates) {
    if (n === 1000) { ctx.stdout('… (use --json for the full list)\n'); break; }
    ctx.stdout(`${String(n++).padStart(5)}  ${e.hash.slice(0, 8)}  ${strategySummary(e.strategy, e.params as never)}\n`);
  }
  if (plan.training.length) ctx.stdout(`note: ${plan.training.join(', ')} train each candidate block by block (seconds to minutes per candidate)\n`);
  if (plan.refineWith.length) {
    ctx.stdout(`then: the best candidate is re-run with ${plan.refineWith.join(', ')} (refine_with), unless the estimated training ` +
      `exceeds refine_max_minutes (${plan.refineMaxMinutes})\n`);
  }
  return 0;
}

function evaluatorOf(opts: SearchCliOptions): EvaluatorSpec | undefined {
  if (opts.evaluateCommand) return { command: opts.evaluateCommand };
  return opts.evaluate ? { module: opts.evaluate } : undefined;
}

/** The flags as a search request (InputError when a required flag is missing). */
export function searchRequest(opts: SearchCliOptions, ctx: CliContext, onExperiment: SearchRequest['onExperiment']): SearchRequest {
  for (const [v, flag] of [[opts.model, '--model'], [opts.calib, '--calib'], [opts.target, '--target']] as const) {
    if (!v) throw new InputError(`missing ${flag}\n\n${SEARCH_USAGE}`);
  }
  return {
    ...settingsRequest(opts, ctx.cwd), model: opts.model!, calib: opts.calib!, target: opts.target!, evaluator: evaluatorOf(opts),
    maxExperiments: opts.maxExperiments, timeBudgetMinutes: opts.timeBudgetMinutes, shard: opts.shard,
    calibSteps: opts.calibSteps, batchSize: opts.batchSize, inputShape: opts.inputShape, inputValues: opts.inputValues,
    env: ctx.env, logger: ctx.logger, signal: ctx.signal, onExperiment,
  };
}

/** The search's result: the Top-K table (or the run report as JSON) on stdout, the closing line on stderr. */
export function printSearchResult(res: SearchResult, json: boolean, ctx: CliContext): void {
  if (json) {
    const view: RunReport & Pick<SearchResult, 'stopped' | 'newExperiments' | 'skipped'> = {
      ...res.report, stopped: res.stopped, newExperiments: res.newExperiments, skipped: res.skipped,
    };
    ctx.stdout(renderJson(view));
  } else {
    ctx.stdout(`${topKTable(res.report)}\n\nStrategies in full:\n${strategyLines(res.report)}\n`);
  }
  ctx.stderr(`${searchEndLine(res)}\n`);
}

/** A real search with progress on stderr; `makeRunner` is the quantization engine. */
export async function runSearchCommand(opts: SearchCliOptions, ctx: CliContext, makeRunner: ExperimentRunnerFactory): Promise<number> {
  const progress = formatProgress(ctx);
  const req = searchRequest(opts, ctx, (p) => progress.update(p));
  const res = await runSearch(req, makeRunner);
  progress.end();
  printSearchResult(res, opts.json, ctx);
  // Saved and resumable, but not finished: an interrupted run must not look like a completed one to a script.
  return res.stopped === 'aborted' ? exitCodeFor(ctx.signal.reason instanceof InterruptedError ? ctx.signal.reason : new InterruptedError('SIGINT')) : 0;
}

/** The `search` command; `makeRunner` provides the quantization engine for real (non --dry-run) runs. */
export function createSearchCommand(makeRunner?: ExperimentRunnerFactory): Command {
  return defineCommand({
    name: 'search',
    summary: 'AutoQuant: search quantization settings, keep the Top-K',
    usage: SEARCH_USAGE,
    async run(argv, ctx) {
      const opts = parseSearchArgs(argv);
      if (opts.dryRun) return dryRun(opts, ctx);
      if (!makeRunner) throw new InternalError('search: no quantization engine is wired into this command (createSearchCommand(makeRunner))');
      return runSearchCommand(opts, ctx, makeRunner);
    },
  });
}

/** The real quantization engine, imported only when a real search starts (never for --dry-run or --help). */
export const realEngine: ExperimentRunnerFactory = async (spec) => (await import('../../node/search-runner-factory.js')).realRunnerFactory(spec);

/** Default instance loaded by src/cli/main.ts. */
export const searchCommand: Command = createSearchCommand(realEngine);
