/**
 * Python `json` compatibility: `dumps` reproduces `json.dumps(obj, sort_keys=…, indent=…)` byte for byte
 * (default separators, ensure_ascii=True, float repr), and `parsePyJson` reads JSON keeping each number
 * token's int/float kind (`2` vs `2.0`) so a Python-written run folder round-trips unchanged.
 */
import { InputError } from '../errors.js';
import { PyFloat, floatRepr, pyFloat, type PyDict, type PyValue } from './py-value.js';

export { floatRepr };

function numberRepr(v: number | PyFloat): string {
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (Number.isInteger(v) && !Object.is(v, -0)) {
    return Math.abs(v) < 1e21 ? String(v) : BigInt(v).toString();
  }
  return floatRepr(v);
}

/** Python json string encoding with ensure_ascii=True (lowercase \uXXXX for anything outside ' '..'~'). */
export function stringRepr(s: string): string {
  if (PLAIN.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Printable ASCII except '"' and '\\': emitted verbatim. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const SURROGATE = /[\ud800-\udfff]/;

/** Code-point order, as Python sorts str keys (UTF-16 order differs only with surrogates). */
function compareKeys(a: string, b: string): number {
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const ia = [...a];
  const ib = [...b];
  for (let i = 0; i < Math.min(ia.length, ib.length); i++) {
    const d = ia[i].codePointAt(0)! - ib[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ia.length - ib.length;
}

export interface DumpOptions {
  /** json.dumps(sort_keys=True): recursively sorted keys. Default false (insertion order). */
  sortKeys?: boolean;
  /** json.dump(indent=n): newline + n spaces per level, item separator ','. Default: compact ", " / ": ". */
  indent?: number;
}

/** `json.dumps(value, sort_keys=…, indent=…)` as Python writes it. `undefined` members are skipped. */
export function dumps(value: PyValue, opts: DumpOptions = {}): string {
  return dumpValue(value, opts, 0);
}

function dumpValue(v: PyValue, opts: DumpOptions, level: number): string {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'string') return stringRepr(v);
  if (typeof v === 'number' || v instanceof PyFloat) return numberRepr(v);
  const isArr = Array.isArray(v);
  const items: string[] = isArr
    ? (v as PyValue[]).map((x) => dumpValue(x, opts, level + 1))
    : entriesOf(v as PyDict, opts).map(([k, x]) => `${stringRepr(k)}: ${dumpValue(x, opts, level + 1)}`);
  const [open, close] = isArr ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return open + close;
  if (opts.indent === undefined) return open + items.join(', ') + close;
  const pad = '\n' + ' '.repeat(opts.indent * (level + 1));
  return open + pad + items.join(',' + pad) + '\n' + ' '.repeat(opts.indent * level) + close;
}

function entriesOf(d: PyDict, opts: DumpOptions): [string, PyValue][] {
  const e = Object.entries(d).filter(([, x]) => x !== undefined);
  return opts.sortKeys ? e.sort((a, b) => compareKeys(a[0], b[0])) : e;
}

/**
 * Parses JSON text (plus Python's NaN/Infinity tokens) into PyValues: number tokens with a '.' or exponent
 * become floats (`pyFloat`), others ints. `source` names the file in error messages.
 */
export function parsePyJson(text: string, source = 'JSON'): PyValue {
  const p = { s: text, i: 0, source };
  skipWs(p);
  const v = parseValue(p);
  skipWs(p);
  if (p.i !== text.length) fail(p, 'unexpected trailing text');
  return v;
}

interface Cursor { s: string; i: number; source: string }

function fail(p: Cursor, what: string): never {
  throw new InputError(`${p.source} is malformed JSON at offset ${p.i}: ${what}`);
}

function skipWs(p: Cursor): void {
  while (p.i < p.s.length && ' \t\n\r'.includes(p.s[p.i])) p.i++;
}

function parseValue(p: Cursor): PyValue {
  const c = p.s[p.i];
  if (c === '{') return parseObject(p);
  if (c === '[') return parseArray(p);
  if (c === '"') return parseString(p);
  for (const [tok, val] of [['true', true], ['false', false], ['null', null], ['NaN', NaN],
    ['Infinity', Infinity], ['-Infinity', -Infinity]] as const) {
    if (p.s.startsWith(tok, p.i)) {
      p.i += tok.length;
      return typeof val === 'number' ? new PyFloat(val) : val;
    }
  }
  const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(p.s.slice(p.i, p.i + 400));
  if (!m) fail(p, `unexpected ${c === undefined ? 'end of text' : JSON.stringify(c)}`);
  p.i += m[0].length;
  const x = Number(m[0]);
  return m[2] !== undefined || m[3] !== undefined ? pyFloat(x) : x;
}

function parseObject(p: Cursor): PyDict {
  const out: PyDict = {};
  p.i++;
  skipWs(p);
  if (p.s[p.i] === '}') { p.i++; return out; }
  for (;;) {
    skipWs(p);
    if (p.s[p.i] !== '"') fail(p, 'expected a string key');
    const k = parseString(p);
    skipWs(p);
    if (p.s[p.i++] !== ':') fail(p, "expected ':'");
    skipWs(p);
    out[k] = parseValue(p);
    skipWs(p);
    const c = p.s[p.i++];
    if (c === '}') return out;
    if (c !== ',') fail(p, "expected ',' or '}'");
  }
}

function parseArray(p: Cursor): PyValue[] {
  const out: PyValue[] = [];
  p.i++;
  skipWs(p);
  if (p.s[p.i] === ']') { p.i++; return out; }
  for (;;) {
    skipWs(p);
    out.push(parseValue(p));
    skipWs(p);
    const c = p.s[p.i++];
    if (c === ']') return out;
    if (c !== ',') fail(p, "expected ',' or ']'");
  }
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function parseString(p: Cursor): string {
  let out = '';
  p.i++;
  for (;;) {
    const j = p.s.indexOf('"', p.i);
    const k = p.s.indexOf('\\', p.i);
    if (j < 0) fail(p, 'unterminated string');
    if (k < 0 || j < k) { out += p.s.slice(p.i, j); p.i = j + 1; return out; }
    out += p.s.slice(p.i, k);
    const e = p.s[k + 1];
    if (e === 'u') {
      const hex = p.s.slice(k + 2, k + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) { p.i = k; fail(p, 'bad \\u escape'); }
      out += String.fromCharCode(parseInt(hex, 16));
      p.i = k + 6;
    } else {
      if (!(e in ESCAPES)) { p.i = k; fail(p, 'bad escape'); }
      out += ESCAPES[e];
      p.i = k + 2;
    }
  }
}
