import { it } from "vitest";
import { writeFileSync } from "node:fs";
import { newStorage } from "../runtime/helpers/storage";
import { HostileProbe } from "./worker/hostile-probe";
it("time", async () => {
  const { storage } = await newStorage();
  const probe = Object.create(HostileProbe.prototype) as HostileProbe;
  (probe as any).ctx = { storage };
  const out: string[] = [];
  let t = Date.now();
  const p = probe.pragmas();
  out.push(`pragmas ${Date.now() - t}`);
  const slow = Object.keys(p);
  t = Date.now(); probe.memoryBombs(); out.push(`bombs ${Date.now() - t}`);
  const src = (await import("node:fs")).readFileSync("test/conformance/worker/hostile-probe.ts", "utf8");
  for (const m of src.matchAll(/^  (\w+):\s*"(.*)",$/gm)) { const t1 = Date.now(); try { storage.sql.exec(m[2]!.replace(/\\"/g, '"')).toArray(); } catch {} out.push(`${m[1]} ${Date.now() - t1}`); }
  const sql = storage.sql;
  const times: [number, string][] = [];
  for (const s of slow) { const t0 = performance.now(); try { sql.exec(s).toArray(); } catch {} times.push([performance.now() - t0, s]); }
  times.sort((a, b) => b[0] - a[0]);
  out.push(...times.slice(0, 10).map(([ms, s]) => `${ms.toFixed(1)} ${s}`));
  writeFileSync("/tmp/wt12-time.txt", out.join("\n"));
}, 120000);
