import { defineCommand } from "citty";
import { consola } from "consola";
import { logout } from "../auth/session";

export default defineCommand({
  meta: { name: "logout", description: "Revoke (where supported) and delete the stored tokens" },
  async run() {
    const result = await logout();
    if (!result.hadSession) {
      consola.info("Not logged in");
      return;
    }
    if (result.revokeProblem) consola.warn(result.revokeProblem);
    consola.success(result.revoked ? "Logged out; refresh token revoked, tokens deleted" : "Logged out; tokens deleted");
  },
});
