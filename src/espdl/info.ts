/**
 * The `.info` text dump esp-ppq writes beside each `.espdl` (docs/esp-ppq.md §5.8; esp_ppq/parser/espdl/helper.py
 * `printable_graph`, built on onnx.helper's printable_* functions): sections joined by two blank lines, no
 * trailing newline, tensor values as numpy reprs of the raw (16-byte padded) data. Byte-identical to
 * ESP-PPQ 1.3.5's files for all 647 fixtures (test/unit/espdl/info.test.ts). Differences left: float digits
 * in rare half-way cases and float16 (numpy-repr.ts); TENSOR/GRAPH/other attribute types print as
 * onnx.helper does (`<Tensor>`, `<graph name>`), unverified against esp-ppq (no fixture has them).
 */
import { bytesPerElement, dataTypeFromCode, fromRawBytes } from '../ir/tensor.js';
import { numpyReprParts } from './numpy-repr.js';
import {
  halfToFloat, tensorDataTypeName, type EspdlAttributeView, type EspdlModelView, type EspdlNodeView, type EspdlTensorView,
  type EspdlValueInfoView,
} from './read.js';

/** The `.info` text of a decoded model (identical to esp-ppq's for the fixtures; see the module comment). */
export function formatInfo(view: EspdlModelView): string {
  return new TextDecoder().decode(formatInfoBytes(view));
}

/**
 * formatInfo's text as UTF-8 bytes, as the export writes it: a model's weights (millions of values) go from
 * numbers to bytes without one string per element or a copy of the whole text as a string.
 */
export function formatInfoBytes(view: EspdlModelView): Uint8Array {
  const g = view.graph;
  const out = new Utf8Chunks();
  const props = view.metadataProps.map((p) => `${p.key ?? ''}: ${p.value ?? ''}\n`).join('');
  out.text(`model properties:\nmetadata_props:\n${props}\n\n${graphText(view)}`);
  const tensors = (title: string, list: readonly EspdlTensorView[]): void => {
    out.text(`\n\n\n${title}:\n`);
    list.forEach((t, i) => {
      if (i > 0) out.text('\n');
      tensorValue(t, out);
    });
  };
  tensors('initializers value', g.initializers);
  out.text(`\n\n\nvalues info:\n${g.valueInfo.map((v) => valueInfoLine(v)).join('\n')}`);
  tensors('test inputs value', g.testInputs);
  tensors('test outputs value', g.testOutputs);
  return out.finish();
}

/** Text assembled from strings and ASCII byte runs, as UTF-8 bytes. */
class Utf8Chunks {
  private readonly parts: Uint8Array[] = [];
  private pending = '';

  text(s: string): void {
    this.pending += s;
  }

  bytes(b: Uint8Array): void {
    this.flush();
    this.parts.push(b);
  }

  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  }

  private flush(): void {
    if (this.pending === '') return;
    this.parts.push(new TextEncoder().encode(this.pending));
    this.pending = '';
  }
}

function graphText(view: EspdlModelView): string {
  const g = view.graph;
  const lines = [`graph ${g.name ?? ''} (`];
  for (const v of g.inputs) lines.push(`  ${valueInfoLine(v)}`);
  if (g.initializers.length > 0) {
    lines.push(') initializers (');
    for (const t of g.initializers) lines.push(`  %${t.name ?? ''}[${tensorDataTypeName(t.dataType)}, ${shapeText(t.dims)}]`);
  }
  lines.push(') {');
  for (const n of g.nodes) lines.push(`  ${nodeLine(n)}`);
  lines.push(`  return ${g.outputs.map((o) => `%${o.name ?? ''}`).join(', ')}`);
  lines.push('}');
  return lines.join('\n');
}

function shapeText(dims: readonly (number | string | null)[]): string {
  return dims.length ? dims.map((d) => String(d ?? '?')).join('x') : 'scalar';
}

function valueInfoLine(v: EspdlValueInfoView): string {
  const shape = v.hasShape ? `, ${shapeText(v.dims)}` : '';
  const type = v.elemType === null ? '' : `${tensorDataTypeName(v.elemType)}${shape}`;
  return `%${v.name ?? ''}[${type}], exponents: ${pyList(v.exponents)}`;
}

function nodeLine(n: EspdlNodeView): string {
  const attrs = n.attributes.length ? `[${n.attributes.map((a) => `${a.name} = ${attrValue(a)}`).join(', ')}]` : '';
  const outs = n.outputs.map((o) => `%${o}`).join(', ');
  return `${outs} = ${n.opType ?? ''}${attrs}(${n.inputs.map((i) => `%${i}`).join(', ')})`;
}

/** onnx.helper.printable_attribute value forms (floats with `{:.15g}`, strings with repr()). */
function attrValue(a: EspdlAttributeView): string {
  if (a.f !== undefined && a.type === 1) return pyFloatG15(a.f);
  if (a.i !== undefined && a.type === 2) return String(a.i);
  if (a.s !== undefined && a.type === 3) return pyStrRepr(a.s);
  if (a.floats) return `[${a.floats.map(pyFloatG15).join(', ')}]`;
  if (a.ints) return pyList(a.ints);
  if (a.strings) return `[${a.strings.map(pyStrRepr).join(', ')}]`;
  if (a.t) return '<Tensor>';
  if (a.g) return `<graph ${a.g.name ?? ''}>`;
  return '<Unknown>';
}

function tensorValue(t: EspdlTensorView, out: Utf8Chunks): void {
  const doc = t.docString === null ? '' : `docString: ${pyBytesRepr(t.docString)}, `;
  out.text(`%${t.name ?? ''}, shape: ${pyList(t.dims)}, exponents: ${pyList(t.exponents)}, ${doc}\nvalue: `);
  rawRepr(t, out);
}

/** The raw data (padding included) as esp-ppq's numpy.frombuffer shows it. */
function rawRepr(t: EspdlTensorView, out: Utf8Chunks): void {
  const dtype = dataTypeFromCode(t.dataType);
  if (!dtype || dtype === 'string') {
    out.text(`<${tensorDataTypeName(t.dataType)} data>`);
    return;
  }
  const size = bytesPerElement(dtype);
  const usable = t.raw.subarray(0, t.raw.byteLength - (t.raw.byteLength % size));
  const values = fromRawBytes(dtype, usable) as ArrayLike<number | bigint>;
  const { body, tail } = numpyReprParts(dtype === 'float16' ? Array.from(values as Uint16Array, halfToFloat) : values, dtype);
  out.text('array(');
  if (typeof body === 'string') out.text(body);
  else out.bytes(body);
  out.text(tail);
}

function pyList(xs: readonly (number | string | null)[]): string {
  return `[${xs.map((x) => String(x)).join(', ')}]`;
}

/** Python `f"{x:.15g}"`. */
export function pyFloatG15(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mant, expStr] = x.toExponential(14).split('e');
  const exp = Number(expStr);
  const digits = mant.replace('.', '').replace('-', '').replace(/0+$/, '') || '0';
  const sign = x < 0 ? '-' : '';
  if (exp < -4 || exp >= 15) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${int}${frac ? `.${frac}` : ''}`;
}

/** Python repr() of a str (quotes chosen like CPython; control characters escaped). */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return quote + out + quote;
}

/** Python repr() of the UTF-8 bytes of `s` (b'...', non-ASCII as \xNN). */
function pyBytesRepr(s: string): string {
  const bytes = new TextEncoder().encode(s);
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let out = '';
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (String.fromCharCode(b) === quote) out += `\\${quote}`;
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `b${quote}${out}${quote}`;
}
