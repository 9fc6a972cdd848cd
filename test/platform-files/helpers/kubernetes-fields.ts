import ts from "typescript";
import { join, resolve } from "pathe";
import { kindOf, type Manifest } from "./kubernetes";

const here = resolve(import.meta.dirname);

/**
 * Fields the Kubernetes API does not define (a misspelt or misplaced key), found by TypeScript's
 * excess-property check: each manifest becomes an object literal typed with kubernetes-models'
 * interface for its kind, compiled in memory. Returns the compiler's messages, empty when clean.
 */
export function unknownFieldErrors(manifests: Manifest[]): string[] {
  const file = join(here, "__manifests__.ts");
  const lines = manifests.map((manifest, i) => {
    const [module, name] = kindOf(manifest).type;
    return `import type { ${name} as T${i} } from "${module}";\nexport const m${i}: T${i} = ${JSON.stringify(manifest)};`;
  });
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const text = lines.join("\n");
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (path) => (path === file ? text : readFile(path));
  host.fileExists = ((exists) => (path: string) => path === file || exists(path))(host.fileExists.bind(host));
  host.getSourceFile = (path, language, ...rest) => (path === file ? ts.createSourceFile(path, text, language) : getSourceFile(path, language, ...rest));
  const program = ts.createProgram([file], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => `${manifests[lineManifest(diagnostic)]?.kind ?? "?"}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`);
}

/** Each manifest takes two lines of the in-memory file: map a diagnostic back to its manifest. */
function lineManifest(diagnostic: ts.Diagnostic): number {
  if (!diagnostic.file || diagnostic.start === undefined) return -1;
  return Math.floor(diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line / 2);
}
