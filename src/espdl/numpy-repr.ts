/**
 * `repr()` of a 1-D numpy array with numpy's default print options (linewidth 75, no summarization since
 * esp-ppq prints every value), as esp-ppq's `.info` writer shows tensor values. Ported from
 * numpy/core/arrayprint.py (_formatArray, _extendLine, IntegerFormat, BoolFormat, FloatingFormat).
 * Float digits: numpy's Dragon4 "unique" mode for float32/float64 is emulated with shortest round-trip
 * strings; results can differ from numpy in rare half-way rounding cases, and float16 values get float32's
 * shortest digits (numpy would use float16's). Only 1-D arrays: esp-ppq prints np.frombuffer's flat view.
 */

export type ReprDtype = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'float16' | 'float32' | 'float64' | 'bool';

const LINE_WIDTH = 75;
/** numpy omits the dtype for its default types (int64 on Linux, float64, bool). */
const IMPLICIT_DTYPES: ReadonlySet<ReprDtype> = new Set(['int64', 'float64', 'bool']);
const INT_DTYPES: ReadonlySet<ReprDtype> = new Set(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']);

/** numpy repr of `values` as a 1-D array of `dtype`, e.g. `array([1, 2], dtype=int8)`. */
export function numpyRepr(values: ArrayLike<number | bigint>, dtype: ReprDtype): string {
  const { body, tail } = numpyReprParts(values, dtype);
  return `array(${typeof body === 'string' ? body : ascii.decode(body)}${tail}`;
}

/**
 * numpyRepr in two pieces after `array(`: the bracketed values (ASCII bytes for large integer arrays, so a model's
 * weights become text without a string per element) and the closing (`)` or `, dtype=…)`).
 */
export function numpyReprParts(values: ArrayLike<number | bigint>, dtype: ReprDtype): { body: string | Uint8Array; tail: string } {
  const indent = ' '.repeat('array('.length + 1);
  const fast = values.length > 0 && INT_DTYPES.has(dtype) ? smallIntBody(values, indent) : undefined;
  const body = fast ?? (values.length === 0 ? '[]' : wrapElements(formatElements(values, dtype), indent));
  if (IMPLICIT_DTYPES.has(dtype) && values.length > 0) return { body, tail: ')' };
  const dtypeStr = `dtype=${dtype})`;
  // Length of the last line of `array(<body>,`.
  const newline = typeof body === 'string' ? body.lastIndexOf('\n') : body.lastIndexOf(10);
  const lastLine = (newline < 0 ? 'array('.length + body.length : body.length - newline - 1) + 1;
  const spacer = lastLine + dtypeStr.length + 1 > LINE_WIDTH ? `\n${' '.repeat('array('.length)}` : ' ';
  return { body, tail: `,${spacer}${dtypeStr}` };
}

/** Elements per line when every word has `width` characters (numpy pads every element to one width). */
function wordsPerLine(width: number, indent: string): number {
  return Math.max(1, Math.floor((LINE_WIDTH - 1 - 1 - indent.length - width) / (width + 2)) + 1);
}

/** Distinct values up to which smallIntBody keeps one word per value. */
const SMALL_INT_RANGE = 1 << 16;
const ascii = new TextDecoder();

/**
 * wrapElements(formatElements(values)) as ASCII bytes, for integer typed arrays whose values span at most
 * SMALL_INT_RANGE (int8/int16 weights: the bulk of a .info file), through a table of the padded words: the same
 * text without a string per element. Undefined for other arrays.
 */
function smallIntBody(values: ArrayLike<number | bigint>, indent: string): Uint8Array | undefined {
  if (!(values instanceof Int8Array || values instanceof Uint8Array || values instanceof Int16Array
    || values instanceof Uint16Array || values instanceof Int32Array || values instanceof Uint32Array)) return undefined;
  const n = values.length;
  let lo = values[0]!;
  let hi = lo;
  for (let i = 1; i < n; i++) {
    const v = values[i]!;
    if (v < lo) lo = v; else if (v > hi) hi = v;
  }
  if (hi - lo >= SMALL_INT_RANGE) return undefined;
  const width = Math.max(String(lo).length, String(hi).length);
  const table = new Uint8Array((hi - lo + 1) * width);
  for (let v = lo; v <= hi; v++) {
    const word = String(v).padStart(width);
    for (let k = 0; k < width; k++) table[(v - lo) * width + k] = word.charCodeAt(k);
  }
  const perLine = wordsPerLine(width, indent);
  const lines = Math.ceil(n / perLine);
  const out = new Uint8Array(2 + n * width + (n - lines) * 2 + (lines - 1) * (2 + indent.length));
  const COMMA = 44, SPACE = 32, NEWLINE = 10;
  let at = 0;
  out[at++] = 91; // [
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      out[at++] = COMMA;
      if (i % perLine === 0) {
        out[at++] = NEWLINE;
        for (let k = 0; k < indent.length; k++) out[at++] = SPACE;
      } else {
        out[at++] = SPACE;
      }
    }
    const from = (values[i]! - lo) * width;
    for (let k = 0; k < width; k++) out[at++] = table[from + k]!;
  }
  out[at++] = 93; // ]
  return out;
}

/**
 * numpy _formatArray for one axis. array2string first takes the suffix (',' or ')') off the line width,
 * then one more column is reserved for ']' on every line.
 */
function wrapElements(words: string[], indent: string): string {
  const elemWidth = LINE_WIDTH - 1 - 1;
  const w = words[0].length;
  if (words.every((word) => word.length === w)) {
    // numpy pads every element to one width, so each line holds the same count: the fast path for big tensors.
    const perLine = wordsPerLine(w, indent);
    const lines: string[] = [];
    for (let i = 0; i < words.length; i += perLine) lines.push(words.slice(i, i + perLine).join(', '));
    return `[${lines.join(`,\n${indent}`)}]`;
  }
  let s = '';
  let line = indent;
  words.forEach((word, i) => {
    if (line.length + word.length > elemWidth && line.length > indent.length) {
      s += `${line.trimEnd()}\n`;
      line = indent;
    }
    line += word;
    if (i < words.length - 1) line += ', ';
  });
  s += line;
  return `[${s.slice(indent.length)}]`;
}

function formatElements(values: ArrayLike<number | bigint>, dtype: ReprDtype): string[] {
  const n = values.length;
  if (dtype === 'bool') return Array.from({ length: n }, (_, i) => (Number(values[i]) ? ' True' : 'False'));
  if (dtype.startsWith('float')) return formatFloats(Array.from(values, Number), dtype === 'float32' || dtype === 'float16');
  // IntegerFormat: one width for all, that of the longer of str(max) and str(min).
  let lo = values[0];
  let hi = values[0];
  for (let i = 1; i < n; i++) {
    if (values[i] < lo) lo = values[i];
    if (values[i] > hi) hi = values[i];
  }
  const width = n ? Math.max(String(lo).length, String(hi).length) : 0;
  const cache = new Map<number | bigint, string>(); // int8/int16 tensors repeat few values: share the strings
  const words = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let word = cache.get(v);
    if (word === undefined) {
      word = String(v).padStart(width);
      if (cache.size < 70_000) cache.set(v, word);
    }
    words[i] = word;
  }
  return words;
}

/**
 * Shortest significant-digit string that round-trips (to float32 when `single`), in exponent form. Round-
 * tripping is monotonic in the digit count, so a binary search over 1..9 (float32) or 1..17 digits suffices.
 */
function shortestExp(x: number, single: boolean): string {
  const ok = (p: number): boolean => {
    const back = Number(x.toExponential(p - 1));
    return (single ? Math.fround(back) : back) === x;
  };
  let lo = 1;
  let hi = single ? 9 : 17;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return x.toExponential(lo - 1);
}

function splitExp(s: string): { mant: string; exp: number } {
  const [mant, exp] = s.split('e');
  return { mant, exp: Number(exp) };
}

/** Shortest positional string (numpy trim='.': "2.", "0.5"), cut to 8 fractional digits. */
function shortestPositional(x: number, single: boolean): string {
  const { mant, exp } = splitExp(shortestExp(Math.abs(x), single));
  const digits = mant.replace('.', '');
  const point = exp + 1;
  let str: string;
  if (point <= 0) str = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) str = `${digits}${'0'.repeat(point - digits.length)}.`;
  else str = `${digits.slice(0, point)}.${digits.slice(point)}`;
  const frac = str.split('.')[1];
  if (frac.length > 8) str = Math.abs(x).toFixed(8).replace(/0+$/, '');
  return (x < 0 || Object.is(x, -0) ? '-' : '') + str;
}

function formatFloats(xs: number[], single: boolean): string[] {
  const finite = xs.filter(Number.isFinite);
  const nonZero = finite.filter((v) => v !== 0).map(Math.abs);
  const max = maxOf(nonZero);
  const min = nonZero.length ? -maxOf(nonZero.map((v) => -v)) : 0;
  const expFormat = nonZero.length > 0 && (max >= 1e8 || min < 1e-4 || max / min > 1000);
  let padLeft = 0;
  let padRight = 0;
  let fmt: (v: number) => string;
  if (finite.length === 0) {
    fmt = String;
  } else if (expFormat) {
    const parts = finite.map((v) => splitExp(shortestExp(v, single)));
    const precision = Math.min(8, maxOf(parts.map((p) => (p.mant.split('.')[1] ?? '').length)));
    const expSize = Math.max(2, maxOf(parts.map((p) => String(Math.abs(p.exp)).length)));
    padLeft = maxOf(parts.map((p) => p.mant.split('.')[0].length));
    padRight = expSize + 2 + precision;
    fmt = (v) => {
      const { mant, exp } = splitExp(v.toExponential(precision));
      const [int, frac = ''] = mant.split('.');
      const e = `e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(expSize, '0')}`;
      return `${int.padStart(padLeft)}.${frac}${e}`;
    };
  } else {
    const memo = new Map<number, string>();
    const positional = (v: number): string => {
      let str = memo.get(v);
      if (str === undefined) memo.set(v, (str = shortestPositional(v, single)));
      return str;
    };
    const strs = finite.map(positional);
    padLeft = maxOf(strs.map((s) => s.split('.')[0].length));
    padRight = maxOf(strs.map((s) => s.split('.')[1].length));
    fmt = (v) => {
      const [int, frac] = positional(v).split('.');
      return `${int.padStart(padLeft)}.${frac.padEnd(padRight)}`;
    };
  }
  if (finite.length !== xs.length) {
    const negInf = xs.some((v) => v === -Infinity);
    padLeft = Math.max(padLeft, 3 - (padRight + 1), 3 + (negInf ? 1 : 0) - (padRight + 1));
  }
  return xs.map((v) => {
    if (Number.isFinite(v)) return fmt(v);
    const word = Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
    return word.padStart(padLeft + padRight + 1);
  });
}

/** Largest value (0 for none) without spreading: models have arrays far beyond the call-stack limit. */
function maxOf(xs: readonly number[]): number {
  let m = xs.length ? -Infinity : 0;
  for (const x of xs) if (x > m) m = x;
  return m;
}
