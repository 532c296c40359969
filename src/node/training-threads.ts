/**
 * The helper thread of the training passes: runs the second sample shard of each step
 * (src/quant/training/shards.ts) on a worker thread while the calling thread runs the first.
 *
 * The training loop is synchronous, so the calling thread blocks on a SharedArrayBuffer flag (Atomics.wait) and
 * takes the result with receiveMessageOnPort instead of awaiting a message event. A helper that fails, throws or
 * goes silent is given up (and terminated): the caller then computes the shard itself, which gives the same bits,
 * so a broken helper costs time, never a different result.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { BlockBatch } from '../quant/training/block.js';
import type { ShardHelper, ShardJob, ShardResult } from '../quant/training/shards.js';

/** What the calling thread sends: a job and its number. */
export interface HelperRequest { readonly id: number; readonly job: ShardJob }

/**
 * What the worker answers, with the number of the job (none when the worker could not even start): a result, or
 * the error it hit. The number lets a caller skip the answer to a job it stopped waiting for (a pass that threw
 * while its helper was still at work).
 */
export type HelperReply = { readonly id?: number } & ({ readonly result: ShardResult } | { readonly error: string });

/** How long past the calling thread's own shard (×) and at least (ms) the helper may take before it is given up. */
const PATIENCE_FACTOR = 20;
const MIN_PATIENCE_MS = 30_000;

interface Live { worker: Worker; port: MessagePort; flag: Int32Array }


/**
 * The worker's first code: imports the worker module and, if that fails, answers with the error at once (an
 * 'error' event could not reach a calling thread that is blocked waiting for the answer).
 */
const BOOT = `const { workerData } = require('node:worker_threads');
import(workerData.script).catch((e) => {
  workerData.port.postMessage({ error: String((e && e.stack) || e) });
  const flag = new Int32Array(workerData.flag);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});`;

/**
 * A ShardHelper backed by one worker thread, started on first use and unref'd (it never keeps the process
 * alive). Undefined when the worker's script is not beside this module (the Action's single-file bundle): the
 * passes then run both shards on the calling thread.
 */
export function trainingHelper(script = new URL('./training-worker.js', import.meta.url)): ShardHelper | undefined {
  if (script.protocol !== 'file:' || !existsSync(fileURLToPath(script))) return undefined;
  let live: Live | undefined;
  let broken = false;
  let jobs = 0;
  const giveUp = (): undefined => {
    broken = true;
    void live?.worker.terminate();
    live = undefined;
    return undefined;
  };
  const start = (): Live => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(BOOT, { eval: true, workerData: { script: script.href, port: port2, flag: flag.buffer }, transferList: [port2] });
    worker.unref();
    worker.on('error', () => { broken = true; });
    return { worker, port: port1, flag };
  };
  return {
    start(job: ShardJob) {
      if (broken) return { wait: () => undefined };
      live ??= start();
      const l = live, t0 = performance.now(), id = ++jobs;
      Atomics.store(l.flag, 0, 0);
      try {
        l.worker.postMessage({ id, job } satisfies HelperRequest, batchBuffers(job.batch));
      } catch {
        return { wait: giveUp };
      }
      return {
        wait(): ShardResult | undefined {
          const patience = Math.max(MIN_PATIENCE_MS, PATIENCE_FACTOR * (performance.now() - t0));
          const deadline = performance.now() + patience;
          for (;;) {
            const m = receiveMessageOnPort(l.port);
            const reply = m?.message as HelperReply | undefined;
            if (reply && reply.id !== undefined && reply.id !== id) continue; // an answer nobody waits for any more
            if (reply) return 'result' in reply ? reply.result : giveUp();
            const left = deadline - performance.now();
            if (left <= 0 || broken) return giveUp();
            Atomics.wait(l.flag, 0, 0, Math.min(left, 1000));
          }
        },
      };
    },
  };
}

/** The buffers of a batch's arrays, to move them to the other thread instead of copying them. */
export function batchBuffers(batch: BlockBatch): ArrayBuffer[] {
  return [...batch.inputs.values(), ...batch.reference.values()].map((v) => v.data.buffer as ArrayBuffer);
}

const shared: { helper?: ShardHelper | null } = {};

/**
 * The process's helper (one worker thread for every training pass of the process), or undefined on a machine
 * with one processor, where a second thread would only take turns with the first.
 */
export function sharedTrainingHelper(): ShardHelper | undefined {
  if (shared.helper === undefined) shared.helper = (availableParallelism() >= 2 ? trainingHelper() : undefined) ?? null;
  return shared.helper ?? undefined;
}
