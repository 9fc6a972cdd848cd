import { describeServerPreset } from "./harness/server-preset";

// Presets that extend node ship the same server: each is still built and run on its own,
// because a preset could drop or break the bundle it inherits.
for (const preset of ["fly", "render", "railway", "docker", "k8s"]) {
  describeServerPreset({ preset, inherits: "node", command: (entry) => ({ command: process.execPath, args: [entry] }) });
}
