import { describeServerPreset } from "./harness/server-preset";

describeServerPreset({ preset: "node", command: (entry) => ({ command: process.execPath, args: [entry] }) });
