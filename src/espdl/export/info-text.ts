/**
 * The `model.info` text dump (esp-ppq.md §5.8; esp_ppq/parser/espdl/helper.py printable_graph): metadata, graph
 * signature, initializer list, nodes, then initializer values, value_info and test values. Same sections and line
 * forms as ESP-PPQ's; value arrays are printed plainly (not numpy's column alignment), and lists are in file order.
 */
import type { Attribute, Dim } from '../../ir/graph.js';
import type { DataType, TensorData } from '../../ir/tensor.js';
import type { FbModel, FbTensor, FbValueInfo } from './build-flatbuffer.js';

const TYPE_NAMES: Record<DataType, string> = {
  float32: 'FLOAT', uint8: 'UINT8', int8: 'INT8', uint16: 'UINT16', int16: 'INT16', int32: 'INT32', int64: 'INT64',
  string: 'STRING', bool: 'BOOL', float16: 'FLOAT16', float64: 'DOUBLE', uint32: 'UINT32', uint64: 'UINT64',
};

function dimsText(dims: readonly (Dim | number)[] | undefined): string {
  if (!dims || dims.length === 0) return 'scalar';
  return dims.map((d) => (d === null ? '?' : String(d))).join('x');
}

function attrText(a: Attribute): string {
  switch (a.type) {
    case 'string': return `'${a.value}'`;
    case 'ints': case 'floats': return `[${a.value.join(', ')}]`;
    case 'strings': return `[${a.value.map((s) => `'${s}'`).join(', ')}]`;
    case 'int': case 'float': return String(a.value);
    default: return `<${a.type}>`;
  }
}

function valuesText(data: TensorData, dtype: DataType): string {
  const items = Array.from(data as ArrayLike<number | bigint | string>, (v) => String(v));
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += 13) lines.push(items.slice(i, i + 13).join(', '));
  return `array([${lines.join(',\n       ')}], dtype=${dtype})`;
}

function tensorValue(t: FbTensor, withDoc: boolean): string {
  const doc = withDoc && t.docString !== undefined ? `docString: b'${t.docString}', ` : '';
  return `%${t.name}, shape: [${t.dims.join(', ')}], exponents: [${t.exponents.join(', ')}], ${doc}\nvalue: ${valuesText(t.data, t.dtype)}`;
}

function valueInfoText(v: FbValueInfo): string {
  return `%${v.name}[${TYPE_NAMES[v.dtype]}, ${dimsText(v.dims)}], exponents: [${v.exponents.join(', ')}]`;
}

/** The text dump of an exported model. */
export function infoText(m: FbModel): string {
  const out: string[] = ['model properties:', 'metadata_props:'];
  for (const [k, v] of m.metadataProps) out.push(`${k}: ${v}`);
  out.push('', '', `graph ${m.graphName} (`);
  for (const v of m.inputs) out.push(`  ${valueInfoText(v)}`);
  out.push(') initializers (');
  for (const t of m.initializers) out.push(`  %${t.name}[${TYPE_NAMES[t.dtype]}, ${dimsText(t.dims)}]`);
  out.push(') {');
  for (const n of m.nodes) {
    const attrs = [...n.attributes.keys()].sort().map((k) => `${k} = ${attrText(n.attributes.get(k)!)}`).join(', ');
    out.push(`  ${n.outputs.map((o) => `%${o}`).join(', ')} = ${n.opType}[${attrs}](${n.inputs.map((i) => `%${i}`).join(', ')})`);
  }
  out.push(`  return ${m.outputs.map((o) => `%${o.name}`).join(', ')}`, '}', '', '', 'initializers value:');
  for (const t of m.initializers) out.push(tensorValue(t, true));
  out.push('', 'values info:');
  for (const v of m.valueInfo) out.push(valueInfoText(v));
  out.push('', 'test inputs value:');
  for (const t of m.testInputs) out.push(tensorValue(t, false));
  out.push('', 'test outputs value:');
  for (const t of m.testOutputs) out.push(tensorValue(t, false));
  return `${out.join('\n')}\n`;
}
