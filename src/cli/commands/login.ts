import { defineCommand } from "citty";
import { consola } from "consola";
import { login } from "../auth/session";
import { describeIdentity } from "../auth/describe";

export default defineCommand({
  meta: { name: "login", description: "Log in with the device authorization grant and store the token (owner-only)" },
  async run() {
    const identity = await login({
      onPrompt(prompt) {
        consola.info(`Logging in to ${prompt.issuer}`);
        consola.box(
          `Open ${prompt.verificationUriComplete ?? prompt.verificationUri}\n` +
            `and confirm the code ${prompt.userCode}\n` +
            `(it expires in ${Math.round(prompt.expiresInSec / 60)} min)`,
        );
        consola.start("Waiting for approval in the browser…");
      },
    });
    consola.success(`Logged in: ${describeIdentity(identity)}`);
  },
});
