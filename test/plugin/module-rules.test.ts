import { describe, expect, it } from "vitest";
import { effectiveRules, globToRegExp, ruleFor } from "../../src/plugin/module-rules";

describe("wrangler's module rules", () => {
  it("read globs as wrangler does: ** spans folders, * stays in one, ? is literal", () => {
    expect(globToRegExp("**/*.html").test("./chat.html")).toBe(true);
    expect(globToRegExp("**/*.html").test("../pages/deep/chat.html")).toBe(true);
    expect(globToRegExp("**/*.html").test("chat.html")).toBe(true);
    expect(globToRegExp("**/*.html").test("./chat.htm")).toBe(false);
    expect(globToRegExp("**/*.wasm?module").test("./add.wasm?module")).toBe(true);
    expect(globToRegExp("**/*.wasm?module").test("./add.wasmXmodule")).toBe(false);
    expect(globToRegExp("src/*.txt").test("src/a.txt")).toBe(true);
    expect(globToRegExp("src/*.txt").test("src/deep/a.txt")).toBe(false);
  });

  it("apply wrangler's defaults: Text for .txt, .html and .sql, Data for .bin, CompiledWasm for .wasm", () => {
    const rules = effectiveRules([]);
    expect(["./a.txt", "./a.html", "./a.sql", "./a.bin", "./a.wasm", "./a.wasm?module", "./a.js"].map((path) => ruleFor(rules, path))).toEqual([
      "Text",
      "Text",
      "Text",
      "Data",
      "CompiledWasm",
      "CompiledWasm",
      undefined,
    ]);
  });

  it("put the project's rules first; one without fallthrough ends its type, so later rules of it are dropped", () => {
    const ended = effectiveRules([{ type: "Text", globs: ["**/*.md"] }]);
    expect([ruleFor(ended, "./a.md"), ruleFor(ended, "./a.txt"), ruleFor(ended, "./a.bin")]).toEqual(["Text", undefined, "Data"]);
    const through = effectiveRules([{ type: "Text", globs: ["**/*.md"], fallthrough: true }]);
    expect([ruleFor(through, "./a.md"), ruleFor(through, "./a.txt")]).toEqual(["Text", "Text"]);
    // The first matching rule wins: a project may load .html as Data.
    expect(ruleFor(effectiveRules([{ type: "Data", globs: ["**/*.html"] }]), "./page.html")).toBe("Data");
  });
});
