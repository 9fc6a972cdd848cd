import type { PresetDefinition, ResolvedPreset, Template } from "./define";
import { UnknownPresetError } from "./errors";
import bun from "./bun/preset";
import cloudflare from "./cloudflare/preset";
import deno from "./deno/preset";
import docker from "./docker/preset";
import fly from "./fly/preset";
import k8s from "./k8s/preset";
import node from "./node/preset";
import railway from "./railway/preset";
import render from "./render/preset";
import vercel from "./vercel/preset";
import vercelEdge from "./vercel-edge/preset";

/** Every preset, in the order `dotdo presets` lists them. */
export const PRESETS: readonly PresetDefinition[] = [cloudflare, node, vercelEdge, vercel, bun, deno, docker, k8s, fly, render, railway];

export function presetNames(): string[] {
  return PRESETS.map((preset) => preset.name);
}

/** Applies a preset's `extends` chain: fields of the nearer preset win; files merge by path. */
export function resolvePreset(name: string): ResolvedPreset {
  const chain: PresetDefinition[] = [];
  for (let next: string | undefined = name; next !== undefined; next = chain.at(-1)?.extends) {
    const preset = PRESETS.find((candidate) => candidate.name === next);
    if (!preset) throw new UnknownPresetError(next, presetNames());
    if (chain.includes(preset)) throw new Error(`preset ${name} extends itself: ${[...chain, preset].map((p) => p.name).join(" → ")}`);
    chain.push(preset);
  }
  const base = [...chain].reverse();
  const files: Record<string, Template> = {};
  for (const preset of base) {
    for (const [path, template] of Object.entries(preset.files ?? {})) {
      if (template === false) delete files[path];
      else files[path] = template;
    }
  }
  const pick = <K extends keyof PresetDefinition>(key: K): PresetDefinition[K] | undefined => chain.find((preset) => preset[key] !== undefined)?.[key];
  const runtime = pick("runtime");
  if (runtime === undefined) throw new Error(`preset ${name} names no runtime in its extends chain`);
  const deploy = pick("deploy");
  return {
    name,
    description: chain[0]?.description ?? "",
    runtime,
    entry: pick("entry") ?? "server",
    outDir: pick("outDir") ?? ".output",
    serverDir: pick("serverDir") ?? "server",
    files,
    commands: Object.assign({}, ...base.map((preset) => preset.commands ?? {})) as ResolvedPreset["commands"],
    ...(deploy === undefined ? {} : { deploy }),
    chain: chain.map((preset) => preset.name),
  };
}
