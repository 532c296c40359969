/**
 * Placeholders in `--evaluate-command` made safe however the user quotes them. The paths are never spliced
 * into the command text: each placeholder becomes a reference to an environment variable that holds the path,
 * written for the quoting context it sits in, so the shell expands it as one word and never parses it as code:
 *
 *   POSIX sh   {p} → "${VAR}"    "…{p}…" → …${VAR}…    '…{p}…' → '…'"${VAR}"'…'    (also inside $(…) and `…`)
 *   cmd.exe    {p} → "%VAR%"     "…{p}…" → …%VAR%…     (a value holding a double quote is refused)
 *
 * A variable's value is not re-parsed by the shell (no command substitution, no `;`, no globbing in quotes),
 * so `$(…)`, backticks, quotes and `;` in a path stay text. See docs/security.md.
 */
import { InputError } from '../errors.js';

/** Placeholder name → the environment variable that carries its value. */
export const PLACEHOLDER_ENV = {
  qdq_onnx: 'ESPDL_QDQ_ONNX',
  espdl: 'ESPDL_ESPDL',
  candidate_dir: 'ESPDL_CANDIDATE_DIR',
} as const;

export type Placeholder = keyof typeof PLACEHOLDER_ENV;

const TOKEN = /^\{(qdq_onnx|espdl|candidate_dir)\}/;

/** The command with placeholders bound to variables, and which placeholders it uses. */
export interface BoundCommand { command: string; uses: Set<Placeholder> }

type Frame = 'plain' | 'double' | 'single' | 'backtick' | 'subst';

/** POSIX sh: tracks the quoting context (with $(…) and `…` nesting) to write each reference correctly. */
function bindPosix(template: string): BoundCommand {
  const stack: { kind: Frame; depth: number }[] = [{ kind: 'plain', depth: 0 }];
  const uses = new Set<Placeholder>();
  let out = '';
  for (let i = 0; i < template.length;) {
    const top = stack[stack.length - 1]!;
    const rest = template.slice(i);
    const m = TOKEN.exec(rest);
    if (m) {
      const name = m[1] as Placeholder;
      const v = PLACEHOLDER_ENV[name];
      uses.add(name);
      out += top.kind === 'single' ? `'"\${${v}}"'` : top.kind === 'double' ? `\${${v}}` : `"\${${v}}"`;
      i += m[0].length;
      continue;
    }
    const c = template[i]!;
    if (top.kind === 'single') {
      if (c === "'") stack.pop();
      out += c;
      i++;
      continue;
    }
    if (c === '\\') {
      out += template.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '$' && template[i + 1] === '(') {
      stack.push({ kind: 'subst', depth: 0 });
      out += '$(';
      i += 2;
      continue;
    }
    if (c === '`') {
      if (top.kind === 'backtick') stack.pop();
      else stack.push({ kind: 'backtick', depth: 0 });
    } else if (top.kind === 'double') {
      if (c === '"') stack.pop();
    } else if (c === "'") stack.push({ kind: 'single', depth: 0 });
    else if (c === '"') stack.push({ kind: 'double', depth: 0 });
    else if (top.kind === 'subst' && c === '(') top.depth++;
    else if (top.kind === 'subst' && c === ')') {
      if (top.depth === 0) stack.pop();
      else top.depth--;
    }
    out += c;
    i++;
  }
  if (stack.length !== 1) throw new InputError(`the evaluate command has an unclosed ${describe(stack[stack.length - 1]!.kind)}: ${template}`);
  return { command: out, uses };
}

function describe(kind: Frame): string {
  return { plain: 'quote', double: 'double quote', single: 'single quote', backtick: 'backtick', subst: '$(' }[kind];
}

/** cmd.exe: only double quotes group; %VAR% expands once and its value is not expanded again. */
function bindCmd(template: string): BoundCommand {
  const uses = new Set<Placeholder>();
  let quoted = false;
  let out = '';
  for (let i = 0; i < template.length;) {
    const m = TOKEN.exec(template.slice(i));
    if (m) {
      const name = m[1] as Placeholder;
      uses.add(name);
      out += quoted ? `%${PLACEHOLDER_ENV[name]}%` : `"%${PLACEHOLDER_ENV[name]}%"`;
      i += m[0].length;
      continue;
    }
    if (template[i] === '"') quoted = !quoted;
    out += template[i];
    i++;
  }
  return { command: out, uses };
}

/** Binds the placeholders of `template` for the shell `spawn(…, {shell: true})` uses on `platform`. */
export function bindPlaceholders(template: string, platform: NodeJS.Platform | string): BoundCommand {
  return platform === 'win32' ? bindCmd(template) : bindPosix(template);
}

/**
 * The environment for one run: the placeholder variables set to their paths. On Windows a path holding a
 * double quote could end the quoting cmd.exe relies on; Windows file names cannot contain one, so it is refused.
 */
export function placeholderEnv(values: Record<Placeholder, string | undefined>, platform: NodeJS.Platform | string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, variable] of Object.entries(PLACEHOLDER_ENV) as [Placeholder, string][]) {
    const v = values[name] ?? '';
    if (platform === 'win32' && v.includes('"')) throw new InputError(`{${name}}: the path ${v} contains a double quote, which cmd.exe cannot pass safely`);
    env[variable] = v;
  }
  return env;
}
