/** A Node.js function whose module's default export is a web `fetch` handler. */
export function vcConfigNode(): object {
  return { runtime: "nodejs22.x", handler: "index.mjs", launcherType: "Nodejs", shouldAddHelpers: false, supportsResponseStreaming: true };
}
