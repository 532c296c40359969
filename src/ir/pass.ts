/**
 * Passes and the one runner every pipeline uses (ESP-PPQ's optim/base.py QuantizationOptimizationPipeline,
 * with a typed context instead of `**kwargs`): front-end simplification, quantization (the training passes are
 * passes like the others, with an async `run`) and the `.espdl` exporter are each an ordered list of passes.
 *
 * The runner gives every pipeline the same services: an abort check before each pass, the time each pass took
 * (accumulated by pass name, for the `--json` timings), and, when a shell asks for them, a graph check and a
 * text dump after each pass (to find the pass where a parity difference appears). The core reads no clock and no
 * environment: the clock, the check switch and the dump sink come in as `PassHooks`.
 */
import { InternalError } from '../errors.js';

/** One step of a pipeline: edits `graph` in place. */
export interface Pass<G, C = undefined> {
  /** snake_case, ESP-PPQ's pass name where there is one; the key of its timing. */
  readonly name: string;
  run(graph: G, ctx: C): void | Promise<void>;
}

/** An ordered list of passes over one graph type, with what the debug hooks need to know about that type. */
export interface Pipeline<G, C = undefined> {
  /** Names the pipeline in dumps (`quantize`, `export`, …). */
  readonly name: string;
  readonly passes: readonly Pass<G, C>[];
  /** Throws an Error naming what is inconsistent (dangling input, value written twice, cycle …). */
  validate(graph: G): void;
  /** A stable, line-oriented text form of the graph, for dumps and diffs. */
  describe(graph: G): string;
}

/** Where a dump comes from. `index` counts from 1 in pipeline order. */
export interface PassStep {
  readonly pipeline: string;
  readonly index: number;
  readonly pass: string;
}

/** What the caller (ultimately a shell) adds around every pass. All optional. */
export interface PassHooks {
  /** Wall clock in ms; without it no timing is taken. */
  now?: () => number;
  /** Pass name → milliseconds; the runner adds each pass's time to it. */
  timings?: Record<string, number>;
  /** Checked before every pass. */
  signal?: AbortSignal;
  /** Run the pipeline's `validate` after every pass (debugging; off by default). */
  validate?: boolean;
  /** Receives the pipeline's `describe` text after every pass (debugging; off by default). */
  dump?: (step: PassStep, text: string) => void;
}

function before(hooks: PassHooks): number {
  hooks.signal?.throwIfAborted();
  return hooks.now ? hooks.now() : 0;
}

function after<G, C>(pipeline: Pipeline<G, C>, index: number, graph: G, hooks: PassHooks, t0: number): void {
  const pass = pipeline.passes[index]!.name;
  if (hooks.now && hooks.timings) hooks.timings[pass] = (hooks.timings[pass] ?? 0) + (hooks.now() - t0);
  if (hooks.validate) {
    try {
      pipeline.validate(graph);
    } catch (err) {
      throw new InternalError(`${pipeline.name}: the graph is inconsistent after pass ${pass}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  hooks.dump?.({ pipeline: pipeline.name, index: index + 1, pass }, pipeline.describe(graph));
}

/** Runs the passes in order on `graph`. */
export async function runPipeline<G, C>(pipeline: Pipeline<G, C>, graph: G, ctx: C, hooks: PassHooks = {}): Promise<void> {
  for (let i = 0; i < pipeline.passes.length; i++) {
    const t0 = before(hooks);
    await pipeline.passes[i]!.run(graph, ctx);
    after(pipeline, i, graph, hooks, t0);
  }
}

/** The same for pipelines whose passes are all synchronous (the exporter); a pass returning a promise is a bug. */
export function runPipelineSync<G, C>(pipeline: Pipeline<G, C>, graph: G, ctx: C, hooks: PassHooks = {}): void {
  for (let i = 0; i < pipeline.passes.length; i++) {
    const t0 = before(hooks);
    const r = pipeline.passes[i]!.run(graph, ctx);
    if (r instanceof Promise) throw new InternalError(`${pipeline.name}: pass ${pipeline.passes[i]!.name} is asynchronous; use runPipeline`);
    after(pipeline, i, graph, hooks, t0);
  }
}
