/**
 * ESP-DL's activation memory plan, simulated: a port of MemoryManagerGreedy (dl/model/src/
 * dl_memory_manager_greedy.cpp and dl_memory_manager.cpp of ESP-DL v3.3.9). It gives the two arenas ESP-DL
 * allocates (internal RAM, PSRAM) and where each activation tensor lives, which the latency model needs (a
 * tensor in PSRAM costs external-memory time, one in internal RAM does not).
 *
 * What is ported: tensors get a lifetime over the execution order (from the step that writes them to the step
 * after their last read; graph outputs live to the end); in-place modules share their input's buffer when it is
 * large enough and not a graph output (a later read of that input breaks the link again); at each step the
 * tensors that died are freed (merging neighbouring free chunks) and the new ones allocated — internal RAM first
 * while `maxInternalBytes` allows (first fit in a free list sorted by size), then PSRAM (first fit, else grow the
 * last free chunk, else append). Chunks are 16-byte aligned. ESP-DL's node order comes from its closed-source
 * FbsModel::topological_sort; the file's node order (topological, as ESP-PPQ writes it) stands in for it.
 */
import { opInfo } from '../ops/registry.js';
import type { CostGraph, MemoryLocation } from './cost-graph.js';

const ALIGN = 16;
const aligned = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

class TensorInfo {
  leader: TensorInfo | null = null;
  dirtyFollower: TensorInfo | null = null;
  cleanFollower: TensorInfo | null = null;
  internal = false;
  constructor(readonly name: string, readonly begin: number, public end: number, readonly size: number) {}

  updateTime(t: number): void {
    if (this.leader) {
      this.leader.updateTime(t);
      this.end = this.leader.end;
    } else if (t === -1) this.end = -1;
    else if (t > this.end) this.end = t;
  }

  setLeader(l: TensorInfo | null): void {
    this.leader = l;
    if (l && (l.end < this.end || this.end === -1)) l.updateTime(this.end);
  }

  /** The tensor whose buffer this one uses (itself unless in place). */
  root(): TensorInfo {
    return this.leader ? this.leader.root() : this;
  }
}

interface Chunk {
  size: number;
  offset: number;
  free: boolean;
  tensor: TensorInfo | null;
}

/** One memory pool (a list of chunks in address order, a free list sorted by size). */
class Pool {
  readonly chunks: Chunk[] = [];
  free: Chunk[] = [];

  constructor(initialFree = 0) {
    if (initialFree > 0) {
      const c = { size: initialFree, offset: 0, free: true, tensor: null };
      this.chunks.push(c);
      this.free.push(c);
    }
  }

  private sortFree(): void {
    // std::list::sort is stable: equal sizes keep their order.
    this.free = this.free.map((c, i) => ({ c, i })).sort((a, b) => a.c.size - b.c.size || a.i - b.i).map((x) => x.c);
  }

  /** First fit in the free list; null if nothing fits. */
  firstFit(t: TensorInfo): Chunk | null {
    const size = aligned(t.size);
    const idx = this.free.findIndex((c) => c.size >= t.size);
    if (idx < 0) return null;
    const c = this.free[idx];
    this.free.splice(idx, 1);
    c.tensor = t;
    c.free = false;
    if (c.size > size) {
      const rest = { size: c.size - size, offset: c.offset + size, free: true, tensor: null };
      c.size = size;
      this.chunks.splice(this.chunks.indexOf(c) + 1, 0, rest);
      this.free.push(rest);
      this.sortFree();
    }
    return c;
  }

  /** ESP-DL's PSRAM allocation: first fit, else grow a free last chunk, else append a chunk. */
  allocGrowing(t: TensorInfo): Chunk {
    const fit = this.firstFit(t);
    if (fit) return fit;
    const last = this.chunks[this.chunks.length - 1];
    if (last?.free) {
      this.free.splice(this.free.indexOf(last), 1);
      this.sortFree();
      if (last.size < aligned(t.size)) {
        last.size = aligned(t.size);
        last.free = false;
        last.tensor = t;
        return last;
      }
    }
    const c = { size: aligned(t.size), offset: last ? last.offset + last.size : 0, free: false, tensor: t };
    this.chunks.push(c);
    return c;
  }

  release(t: TensorInfo): void {
    const i = this.chunks.findIndex((c) => c.tensor === t);
    if (i < 0) return;
    const c = this.chunks[i];
    c.free = true;
    c.tensor = null;
    const next = this.chunks[i + 1];
    if (next?.free) {
      c.size += next.size;
      this.chunks.splice(i + 1, 1);
      this.free.splice(this.free.indexOf(next), 1);
    }
    const prev = this.chunks[i - 1];
    if (prev?.free) {
      c.size += prev.size;
      c.offset = Math.min(c.offset, prev.offset);
      this.chunks.splice(i - 1, 1);
      this.free.splice(this.free.indexOf(prev), 1);
    }
    this.free.push(c);
    this.sortFree();
  }

  /** Bytes of the arena ESP-DL allocates for this pool. */
  extent(): number {
    const last = this.chunks[this.chunks.length - 1];
    return last ? last.offset + last.size : 0;
  }
}

export interface MemoryPlan {
  /** Bytes of ESP-DL's internal-RAM and PSRAM activation arenas. */
  readonly internalBytes: number;
  readonly psramBytes: number;
  /** Where each activation lives; parameters are not in the plan. */
  location(name: string): MemoryLocation;
}

/**
 * Simulates ESP-DL's memory manager on a cost graph. `maxInternalBytes` is dl::Model's max_internal_size
 * (default 0: every activation in PSRAM); `hasPsram` false puts everything in internal RAM, as ESP-DL does
 * without CONFIG_SPIRAM.
 */
export function planMemory(g: CostGraph, opts: { maxInternalBytes: number; hasPsram: boolean }): MemoryPlan {
  const infos = new Map<string, TensorInfo>();
  const sizeOf = (v: string) => g.tensorBytes.get(v) ?? 0;
  // ESP-DL numbers variables as it first meets them, node by node, inputs before outputs; tensors allocated
  // at the same step are allocated in that order.
  const index = new Map<string, number>();
  const number = (v: string): void => {
    if (!index.has(v)) index.set(v, index.size);
  };
  const isVariable = new Set([...g.graphInputs, ...g.ops.flatMap((op) => op.outputs)]);
  for (const op of g.ops) {
    for (const v of op.inputs) if (isVariable.has(v)) number(v);
    for (const v of op.outputs) number(v);
  }
  const add = (t: TensorInfo) => infos.set(t.name, t);
  const outputs = new Set(g.graphOutputs);
  for (const v of g.graphInputs) add(new TensorInfo(v, 0, -1, sizeOf(v)));
  g.ops.forEach((op, i) => {
    const ins = op.inputs.filter((v) => infos.has(v));
    for (const v of ins) {
      const t = infos.get(v) as TensorInfo;
      // A later read of a tensor that an in-place op already overwrote: that op needs its own buffer.
      if (t.dirtyFollower) {
        t.dirtyFollower.leader = null;
        t.dirtyFollower = null;
      }
      if (!outputs.has(v)) t.updateTime(i + 1);
    }
    const inplace = opInfo(op.opType).espdlInplace;
    const changed = inplace === 'changed';
    if (inplace && op.outputs.length === 1) {
      const info = new TensorInfo(op.outputs[0], i, -1, sizeOf(op.outputs[0]));
      add(info);
      let host: TensorInfo | null = null;
      for (const v of ins) {
        host = infos.get(v) as TensorInfo;
        if (host.size >= info.size && !outputs.has(v)) break;
        host = null;
      }
      if (host) {
        if (host.dirtyFollower) {
          host.dirtyFollower.leader = null;
          host.dirtyFollower = null;
        }
        info.setLeader(host);
        if (changed) {
          if (host.cleanFollower) info.leader = null;
          else host.dirtyFollower = info;
        } else host.cleanFollower = info;
      }
    } else {
      for (const o of op.outputs) add(new TensorInfo(o, i, -1, sizeOf(o)));
    }
  });

  const steps = g.ops.length;
  const allocAt: TensorInfo[][] = Array.from({ length: steps }, () => []);
  const freeAt: TensorInfo[][] = Array.from({ length: steps }, () => []);
  const order = [...infos.values()].sort((a, b) => (index.get(a.name) ?? 0) - (index.get(b.name) ?? 0));
  for (const t of order) {
    if (t.leader) continue;
    if (t.begin >= 0 && t.begin < steps) allocAt[t.begin].push(t);
    if (t.end >= 0 && t.end < steps) freeAt[t.end].push(t);
  }
  const internalLimit = opts.hasPsram ? opts.maxInternalBytes : Number.POSITIVE_INFINITY;
  const useInternal = !opts.hasPsram || internalLimit > ALIGN;
  const psram = new Pool();
  const internal = new Pool(opts.hasPsram && useInternal ? internalLimit : 0);
  for (let i = 0; i < steps; i++) {
    for (const t of freeAt[i]) (t.internal ? internal : psram).release(t);
    for (const t of allocAt[i]) {
      if (!opts.hasPsram) {
        internal.allocGrowing(t);
        t.internal = true;
      } else if (useInternal && internal.firstFit(t)) t.internal = true;
      else psram.allocGrowing(t);
    }
  }
  return {
    // ESP-DL allocates the whole internal pool (its trailing free chunk included), as here.
    internalBytes: internal.extent(),
    psramBytes: psram.extent(),
    location: (name) => {
      const t = infos.get(name);
      if (!t) return opts.hasPsram ? 'psram' : 'internal';
      return t.root().internal ? 'internal' : 'psram';
    },
  };
}
