/**
 * User evaluators: a shell command (`--evaluate-command "python eval.py {qdq_onnx} {espdl}"`; placeholders are
 * bound to environment variables, never spliced as text: command-template.ts) or a JS module
 * (`--evaluate ./eval.mjs` with `export default async function evaluate(ctx)`). Both results go through the
 * search's ESP-PPQ validation (validateEvaluation); errors here name the candidate.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { candidateFiles, evaluateContext, type EvaluateContext } from '../autoquant/evaluate-context.js';
import { parsePyJson } from '../autoquant/py-json.js';
import { isPyDict } from '../autoquant/py-value.js';
import type { Evaluator, ExperimentRequest } from '../autoquant/runner.js';
import { InputError } from '../errors.js';
import type { Logger } from '../log.js';
import { bindPlaceholders, placeholderEnv, type Placeholder } from './command-template.js';
import { openInputFile } from './safe-paths.js';

export interface CommandEvaluatorOptions {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
  /** The shell's platform (tests of the cmd.exe binding); default process.platform. */
  platform?: NodeJS.Platform;
}


function label(req: ExperimentRequest): string {
  return `candidate ${String(req.index).padStart(4, '0')} (${req.candidateDir})`;
}

/**
 * Runs `template` through the shell once per candidate. The absolute paths are in ESPDL_QDQ_ONNX /
 * ESPDL_ESPDL / ESPDL_CANDIDATE_DIR, and placeholders {qdq_onnx} {espdl} {candidate_dir} become references to
 * those variables fitting their quoting (bare, "…" or '…' all work, and no path is ever read as shell code).
 * The last non-empty stdout line must be a JSON object {"score": …, …extras}.
 */
export function commandEvaluator(template: string, opts: CommandEvaluatorOptions): Evaluator {
  const platform = opts.platform ?? process.platform;
  const { command: cmd, uses } = bindPlaceholders(template, platform); // a malformed template fails before the search
  return async (req, art, signal) => {
    const files = candidateFiles(req, art);
    const values: Record<Placeholder, string | undefined> = { qdq_onnx: files.qdqOnnx, espdl: files.espdl, candidate_dir: req.candidateDir };
    for (const k of uses) {
      if (values[k] === undefined) throw new InputError(`${label(req)}: the evaluate command uses {${k}} but the candidate has no such file`);
    }
    const env = { ...opts.env, ...placeholderEnv(values, platform) };
    const { code, stdout, stderr } = await runShell(cmd, opts.cwd, env, signal);
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    if (code !== 0) {
      throw new InputError(`${label(req)}: the evaluate command exited with ${code}: ${cmd}${tail(stderr)}`);
    }
    const line = stdout.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '').pop();
    if (line === undefined) throw new InputError(`${label(req)}: the evaluate command printed nothing; its last stdout line must be JSON {"score": …}`);
    let obj;
    try {
      obj = parsePyJson(line, 'the last stdout line');
    } catch {
      throw new InputError(`${label(req)}: the evaluate command's last stdout line is not JSON: ${line.slice(0, 200)}`);
    }
    if (!isPyDict(obj) || !('score' in obj)) {
      throw new InputError(`${label(req)}: the evaluate command's last stdout line must be a JSON object with "score": ${line.slice(0, 200)}`);
    }
    const { score, ...extras } = obj;
    opts.logger?.debug(`${label(req)}: ${line}`);
    return { score, extras };
  };
}

function tail(stderr: string): string {
  const t = stderr.trim();
  return t === '' ? '' : `\n${t.slice(-2000)}`;
}

function runShell(cmd: string, cwd: string, env: Record<string, string | undefined>, signal: AbortSignal):
  Promise<{ code: number | string; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, { cwd, env: env as NodeJS.ProcessEnv, shell: true, stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr = (stderr + d).slice(-8000); });
    child.on('error', (e) => (signal.aborted ? resolve({ code: 'aborted', stdout, stderr }) : reject(e)));
    child.on('close', (code, sig) => resolve({ code: code ?? `signal ${String(sig)}`, stdout, stderr }));
  });
}

/** The default export of a JS evaluator module. */
export type EvaluateFunction = (ctx: EvaluateContext) => unknown;

/** Loads `--evaluate ./eval.mjs` (resolved against cwd): its default export (or a named `evaluate`) gets an EvaluateContext. */
export async function moduleEvaluator(modulePath: string, cwd: string): Promise<Evaluator> {
  const file = path.resolve(cwd, modulePath);
  // A folder or a FIFO would make import() fail obscurely or block: only a regular file is loaded.
  await (await openInputFile({ file, what: `--evaluate ${modulePath}` })).handle.close();
  let mod: { default?: unknown; evaluate?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as typeof mod;
  } catch (e) {
    throw new InputError(`--evaluate ${modulePath}: cannot load ${file}: ${(e as Error).message}`, { cause: e });
  }
  const fn = typeof mod.default === 'function' ? mod.default : mod.evaluate;
  if (typeof fn !== 'function') {
    throw new InputError(`--evaluate ${modulePath}: the module must export default async function evaluate(ctx)`);
  }
  return async (req, art, signal) => {
    try {
      return await (fn as EvaluateFunction)(evaluateContext(req, art, signal));
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`${label(req)}: the evaluate module ${modulePath} threw: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
  };
}
