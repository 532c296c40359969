/**
 * Content fingerprints of models, so work that depends only on a model's content (a calibration pass, a float
 * reference, a training pass) can be reused when a search meets the same model again.
 *
 * A fingerprint is a 128-bit hash (four independent 32-bit multiply–xorshift lanes) of everything that defines
 * what the model computes: nodes (type, domain, inputs, outputs, attributes), graph inputs and outputs, and every
 * initializer's dtype, dims and bytes. Tensor data dominates the cost, so each tensor's digest is remembered per
 * data array (passes replace tensors rather than edit them in place, and a search shares tensor objects between
 * candidates), and a model is hashed in a few milliseconds after its first time. The hash is not cryptographic;
 * with 128 bits an accidental collision between the few thousand models of a search is out of reach (~2^-100).
 */
import type { Attribute, Graph, Model } from './graph.js';
import type { Tensor, TensorData } from './tensor.js';

const SEEDS = [0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f] as const;
const MULS = [0xcc9e2d51, 0x1b873593, 0x85ebca6b, 0xc2b2ae35] as const;

/** A running 128-bit hash over 32-bit words. */
class Hasher {
  private readonly h = Uint32Array.from(SEEDS);
  private count = 0;

  word(w: number): void {
    const h = this.h;
    for (let k = 0; k < 4; k++) {
      let x = Math.imul((w ^ (w >>> 15)) >>> 0, MULS[k]!);
      x ^= x >>> 13;
      h[k] = Math.imul(h[k]! ^ x, 0x5bd1e995) ^ (h[k]! >>> 17);
    }
    this.count++;
  }

  words(data: Uint32Array): void {
    const h = this.h;
    let h0 = h[0]!, h1 = h[1]!, h2 = h[2]!, h3 = h[3]!;
    for (let i = 0; i < data.length; i++) {
      const w = data[i]!;
      const y = (w ^ (w >>> 15)) >>> 0;
      let x0 = Math.imul(y, 0xcc9e2d51); x0 ^= x0 >>> 13; h0 = Math.imul(h0 ^ x0, 0x5bd1e995) ^ (h0 >>> 17);
      let x1 = Math.imul(y, 0x1b873593); x1 ^= x1 >>> 13; h1 = Math.imul(h1 ^ x1, 0x5bd1e995) ^ (h1 >>> 17);
      let x2 = Math.imul(y, 0x85ebca6b); x2 ^= x2 >>> 13; h2 = Math.imul(h2 ^ x2, 0x5bd1e995) ^ (h2 >>> 17);
      let x3 = Math.imul(y, 0xc2b2ae35); x3 ^= x3 >>> 13; h3 = Math.imul(h3 ^ x3, 0x5bd1e995) ^ (h3 >>> 17);
    }
    h[0] = h0; h[1] = h1; h[2] = h2; h[3] = h3;
    this.count += data.length;
  }

  text(s: string): void {
    this.word(s.length);
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
  }

  number(v: number): void {
    const f = new Float64Array([v]);
    const u = new Uint32Array(f.buffer);
    this.word(u[0]!);
    this.word(u[1]!);
  }

  digest(): string {
    const h = this.h;
    this.word(this.count);
    return Array.from(h, (x) => {
      let v = x;
      v ^= v >>> 16; v = Math.imul(v, 0x85ebca6b); v ^= v >>> 13; v = Math.imul(v, 0xc2b2ae35); v ^= v >>> 16;
      return (v >>> 0).toString(16).padStart(8, '0');
    }).join('');
  }
}

const tensorDigests = new WeakMap<TensorData, string>();

function bytesOf(data: TensorData): Uint8Array {
  if (Array.isArray(data)) return new TextEncoder().encode(JSON.stringify(data));
  const v = data as ArrayBufferView;
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** The digest of a tensor's dtype, dims and data (remembered per data array). */
export function tensorDigest(t: Tensor): string {
  let data = tensorDigests.get(t.data);
  if (data === undefined) {
    const bytes = bytesOf(t.data);
    const h = new Hasher();
    h.word(bytes.length);
    const whole = bytes.length >> 2;
    const aligned = bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, whole) : new Uint32Array(bytes.slice(0, whole * 4).buffer);
    h.words(aligned);
    for (let i = whole * 4; i < bytes.length; i++) h.word(bytes[i]!);
    data = h.digest();
    tensorDigests.set(t.data, data);
  }
  return `${t.dtype}[${t.dims.join(',')}]${data}`;
}

function hashAttribute(h: Hasher, a: Attribute): void {
  h.text(a.type);
  switch (a.type) {
    case 'float': case 'int': h.number(a.value); break;
    case 'string': h.text(a.value); break;
    case 'floats': case 'ints': h.word(a.value.length); for (const v of a.value) h.number(v); break;
    case 'strings': h.word(a.value.length); for (const v of a.value) h.text(v); break;
    case 'tensor': h.text(tensorDigest(a.value)); break;
    case 'graph': hashGraph(h, a.value); break;
  }
}

function hashGraph(h: Hasher, g: Graph): void {
  h.word(g.nodes.length);
  for (const n of g.nodes) {
    h.text(n.opType); h.text(n.domain);
    h.word(n.inputs.length); for (const i of n.inputs) h.text(i);
    h.word(n.outputs.length); for (const o of n.outputs) h.text(o);
    const attrs = [...n.attributes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    h.word(attrs.length);
    for (const [k, a] of attrs) { h.text(k); hashAttribute(h, a); }
  }
  for (const list of [g.inputs, g.outputs]) {
    h.word(list.length);
    for (const v of list) { h.text(v.name); h.text(v.dtype); h.text(JSON.stringify(v.shape ?? null)); }
  }
  const inits = [...g.initializers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  h.word(inits.length);
  for (const [name, t] of inits) { h.text(name); h.text(tensorDigest(t)); }
}

/** The fingerprint of what a model computes (its opsets included). */
export function modelDigest(model: Model): string {
  const h = new Hasher();
  for (const o of model.opsetImports) { h.text(o.domain); h.number(o.version); }
  hashGraph(h, model.graph);
  return h.digest();
}

/** The fingerprint of a text (a key made of other digests and settings). */
export function textDigest(text: string): string {
  const h = new Hasher();
  h.text(text);
  return h.digest();
}
