/**
 * Nameless nodes get ESP-PPQ's generated names: `generated_name_<k>`, k counting nameless nodes in file order
 * (esp_ppq/parser/onnx_parser.py OnnxParser.build). ESP-PPQ names them when it parses the model onnxsim wrote,
 * so this runs after the onnxsim-like passes (constants, folding, Identity removal).
 */
import type { Graph } from '../../ir/graph.js';
import type { Logger } from '../../log.js';

export function nameNodes(g: Graph, log: Logger): void {
  let k = 0;
  const seen = new Set<string>();
  for (const n of g.nodes) {
    if (n.name === '') n.name = `generated_name_${k++}`;
    if (seen.has(n.name)) {
      // ESP-PPQ refuses duplicated node names; we keep going with a suffix so reports stay unambiguous.
      let i = 1;
      while (seen.has(`${n.name}_${i}`)) i++;
      log.warn(`duplicate node name ${n.name}: renamed to ${n.name}_${i}`);
      n.name = `${n.name}_${i}`;
    }
    seen.add(n.name);
  }
}
