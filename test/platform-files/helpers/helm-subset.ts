import { stringify as toYamlText } from "yaml";

/**
 * A stand-in for `helm template`, because no helm binary can be installed here. It renders only
 * the Go-template subset dotdo's chart uses — fields (`.Values.a.b`, `.Chart.Name`,
 * `.Release.Name`, `.`), string and number literals, `define`/`include`, `if`, `with`, `end`,
 * whitespace trimming (`{{-`, `-}}`) and the functions `quote`, `nindent`, `indent`, `toYaml` —
 * and throws on anything else and on a missing value, instead of guessing. So it can catch YAML
 * and schema mistakes in the rendered manifests, but it is not helm: Go-template semantics outside
 * this subset are not proven by it.
 */
export class UnsupportedTemplateError extends Error {
  readonly code = "HELM_SUBSET_UNSUPPORTED";
}

type Node =
  | { type: "text"; text: string }
  | { type: "action"; pipeline: string }
  | { type: "if" | "with"; pipeline: string; body: Node[] }
  | { type: "define"; name: string; body: Node[] };

export interface Chart {
  name: string;
  version: string;
  appVersion: string;
}

export interface HelmScope {
  Values: unknown;
  Chart: { Name: string; Version: string; AppVersion: string };
  Release: { Name: string; Namespace: string };
}

/** Renders every template of a chart; files starting with `_` only contribute `define`s, as in helm. */
export function renderChart(templates: Record<string, string>, chart: Chart, values: unknown, releaseName = "release-name"): Record<string, string> {
  const defines = new Map<string, Node[]>();
  const parsed = Object.entries(templates).map(([file, text]) => [file, parse(text, file, defines)] as const);
  const scope: HelmScope = {
    Values: values,
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
    Release: { Name: releaseName, Namespace: "default" },
  };
  const rendered: Record<string, string> = {};
  for (const [file, nodes] of parsed) {
    if (!file.split("/").at(-1)?.startsWith("_")) rendered[file] = renderNodes(nodes, scope, scope, defines, file);
  }
  return rendered;
}

const ACTION = /\{\{(- )?([\s\S]*?)( -)?\}\}/g;

function parse(text: string, file: string, defines: Map<string, Node[]>): Node[] {
  const root: Node[] = [];
  const stack: { body: Node[]; node?: Node }[] = [{ body: root }];
  let last = 0;
  let trimNext = false;
  for (const match of text.matchAll(ACTION)) {
    let before = text.slice(last, match.index);
    if (trimNext) before = before.trimStart();
    if (match[1]) before = before.trimEnd();
    if (before) stack.at(-1)!.body.push({ type: "text", text: before });
    last = match.index + match[0].length;
    trimNext = match[3] !== undefined;
    const action = match[2]!.trim();
    const [keyword, ...rest] = action.split(/\s+/);
    const argument = rest.join(" ");
    if (keyword === "if" || keyword === "with") {
      const node: Node = { type: keyword, pipeline: argument, body: [] };
      stack.at(-1)!.body.push(node);
      stack.push({ body: node.body, node });
    } else if (keyword === "define") {
      const name = JSON.parse(argument) as string;
      const body: Node[] = [];
      defines.set(name, body);
      stack.push({ body });
    } else if (keyword === "end") {
      if (stack.length === 1) throw new UnsupportedTemplateError(`${file}: {{ end }} without an open block`);
      stack.pop();
    } else if (["else", "range", "template", "block", "tpl", "required", "default"].includes(keyword ?? "") || action.startsWith("/*") || action.startsWith("$")) {
      throw new UnsupportedTemplateError(`${file}: "{{ ${action} }}" is outside the subset this stand-in renders; run helm template`);
    } else {
      stack.at(-1)!.body.push({ type: "action", pipeline: action });
    }
  }
  if (stack.length !== 1) throw new UnsupportedTemplateError(`${file}: a block is not closed with {{ end }}`);
  let tail = text.slice(last);
  if (trimNext) tail = tail.trimStart();
  if (tail) root.push({ type: "text", text: tail });
  return root;
}

function renderNodes(nodes: Node[], dot: unknown, scope: HelmScope, defines: Map<string, Node[]>, file: string): string {
  let out = "";
  for (const node of nodes) {
    if (node.type === "text") out += node.text;
    else if (node.type === "action") out += print(evaluate(node.pipeline, dot, scope, defines, file), node.pipeline, file);
    else if (node.type === "if" || node.type === "with") {
      const value = evaluate(node.pipeline, dot, scope, defines, file);
      if (truthy(value)) out += renderNodes(node.body, node.type === "with" ? value : dot, scope, defines, file);
    }
  }
  return out;
}

const TOKEN = /"(?:[^"\\]|\\.)*"|\||[^\s|]+/g;

function evaluate(pipeline: string, dot: unknown, scope: HelmScope, defines: Map<string, Node[]>, file: string): unknown {
  const commands: string[][] = [[]];
  for (const [token] of pipeline.matchAll(TOKEN)) {
    if (token === "|") commands.push([]);
    else commands.at(-1)!.push(token);
  }
  let piped: unknown[] = [];
  for (const [name, ...args] of commands) {
    if (name === undefined) throw new UnsupportedTemplateError(`${file}: empty command in "${pipeline}"`);
    const values = [...args.map((arg) => operand(arg, dot, file)), ...piped];
    piped = [call(name, values, dot, scope, defines, file, pipeline)];
  }
  return piped[0];
}

function operand(token: string, dot: unknown, file: string): unknown {
  if (token.startsWith('"')) return JSON.parse(token) as string;
  if (/^-?\d+$/.test(token)) return Number(token);
  if (token.startsWith(".")) return field(token, dot, file);
  throw new UnsupportedTemplateError(`${file}: argument "${token}" is outside the subset this stand-in renders`);
}

function call(name: string, args: unknown[], dot: unknown, scope: HelmScope, defines: Map<string, Node[]>, file: string, pipeline: string): unknown {
  if (!/^[a-zA-Z]/.test(name)) return args.length === 0 ? operand(name, dot, file) : unsupported();
  const [first, second] = args;
  switch (name) {
    case "include": {
      const body = defines.get(String(first));
      if (!body) throw new Error(`${file}: include of undefined template "${String(first)}"`);
      return renderNodes(body, second, scope, defines, file);
    }
    case "quote":
      return JSON.stringify(print(first, pipeline, file));
    case "indent":
    case "nindent": {
      const pad = " ".repeat(Number(first));
      const indented = pad + String(second).replaceAll("\n", `\n${pad}`);
      return name === "nindent" ? `\n${indented}` : indented;
    }
    case "toYaml":
      // helm's toYaml goes through JSON (keys sorted) and drops the final newline.
      return toYamlText(first, { sortMapEntries: true }).replace(/\n$/, "");
    default:
      return unsupported();
  }
  function unsupported(): never {
    throw new UnsupportedTemplateError(`${file}: "${name}" in "${pipeline}" is outside the subset this stand-in renders; run helm template`);
  }
}

function field(path: string, dot: unknown, file: string): unknown {
  let value = dot;
  for (const key of path.split(".").filter(Boolean)) {
    if (value === null || typeof value !== "object" || !(key in value)) throw new Error(`${file}: no value at ${path}`);
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function print(value: unknown, pipeline: string, file: string): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  throw new Error(`${file}: "{{ ${pipeline} }}" yields ${value === null ? "null" : typeof value}, which helm would print as Go syntax`);
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}
