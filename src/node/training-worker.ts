/**
 * Worker-thread entry of the training helper (training-threads.ts): runs each shard job it is sent, posts the
 * reply on its port, then raises the flag the calling thread waits on.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { runShard } from '../quant/training/shards.js';
import { BufferPool } from '../quant/training/tape.js';
import { batchBuffers, type HelperReply, type HelperRequest } from './training-threads.js';

const { port, flag } = workerData as { port: MessagePort; flag: SharedArrayBuffer };
const raised = new Int32Array(flag);

/**
 * Buffers reused from step to step, dropped after IDLE_MS without a job: the helper lives as long as the
 * process, and a finished pass's activations should not stay allocated for the rest of a search.
 */
const IDLE_MS = 5000;
let pool = new BufferPool();
let idle: ReturnType<typeof setTimeout> | undefined;

parentPort?.on('message', ({ id, job }: HelperRequest) => {
  clearTimeout(idle);
  let reply: HelperReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const result = { ...runShard(job, pool), batch: job.batch };
    for (const g of result.grads) if (g) transfer.push(g.buffer as ArrayBuffer);
    transfer.push(...batchBuffers(job.batch));
    reply = { id, result };
  } catch (e) {
    reply = { id, error: e instanceof Error ? e.stack ?? e.message : String(e) };
  }
  port.postMessage(reply, transfer);
  Atomics.store(raised, 0, 1);
  Atomics.notify(raised, 0);
  idle = setTimeout(() => { pool = new BufferPool(); }, IDLE_MS);
  idle.unref();
});
