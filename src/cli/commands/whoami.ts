import { defineCommand } from "citty";
import { consola } from "consola";
import { printData } from "../output";
import { describeIdentity } from "../auth/describe";
import { whoami } from "../auth/session";

export default defineCommand({
  meta: { name: "whoami", description: "Show the verified identity and storage grant of the stored token" },
  args: { json: { type: "boolean", description: "Print the verified claims as JSON" } },
  async run({ args }) {
    const identity = await whoami();
    if (args.json) {
      printData(JSON.stringify({ issuer: identity.issuer, claims: identity.payload, storage: identity.storage ?? null }, null, 2));
      return;
    }
    printData(describeIdentity(identity));
    if (identity.storageProblem) consola.warn(`No usable storage grant: ${identity.storageProblem}`);
  },
});
