import { defineCommand } from "citty";
import { printData } from "../output";
import { currentAccessToken } from "../auth/session";

export default defineCommand({
  meta: { name: "token", description: "Print a valid access token (JWT), refreshing it if needed; e.g. JWT_TOKEN=$(dotdo token)" },
  async run() {
    printData(await currentAccessToken());
  },
});
