export { buildProject, DEFAULT_COMPATIBILITY_DATE, type BuildOptions, type BuildResult } from "./build/index";
export { findLastBuild, type LastBuild } from "./build/last-build";
export { MANIFEST_FILE, type DotdoManifest } from "./build/manifest";
export { definePreset, type PresetContext, type PresetDefinition, type ResolvedPreset, type Template } from "./define";
export { DotdoError } from "../runtime/errors";
export { BuildError, OutputDirNotEmptyError, UnknownPresetError } from "./errors";
export { PRESETS, presetNames, resolvePreset } from "./registry";
