import { type AppCase, scrubbers } from "../case";
import type { Client } from "../visit";

const AGENT = "/agents/repo-agent/cloudflare-agents";
const REPOSITORY = { full_name: "cloudflare/agents", html_url: "https://github.com/cloudflare/agents", stargazers_count: 42, forks_count: 7, open_issues_count: 3 };
const SENDER = { login: "octocat", avatar_url: "https://avatars.example/octocat" };

function webhook(event: string, payload: Record<string, unknown>) {
  return { method: "POST", headers: { "content-type": "application/json", "x-github-event": event }, body: JSON.stringify({ repository: REPOSITORY, sender: SENDER, ...payload }) };
}

/** Calls a `@callable()` method over the agent's WebSocket, recording everything up to its answer. */
async function call(client: Client, id: string, method: string, args: unknown[] = []): Promise<void> {
  client.send(JSON.stringify({ type: "rpc", id, method, args }));
  await client.nextUntil((message) => message.includes(`"id":"${id}"`) && message.includes('"type":"rpc"'));
}

/** The agent greets a new connection with several messages; the last is its state. */
const connect = async (t: Parameters<AppCase["before"]>[0], as: string) => {
  const client = await t.ws(AGENT, { as });
  await client.nextUntil((message) => message.includes("cf_agent_state"));
  return client;
};

/**
 * cloudflare/agents' GitHub webhook example, on the `agents` SDK: webhooks routed to an agent per
 * repository (`getAgentByName`), events in SQL, synced state, `@callable()` methods over the
 * agent's WebSocket, static assets.
 */
export const githubWebhook: AppCase = {
  name: "github-webhook",
  scrub: (text) => scrubbers.isoTime(scrubbers.uuid(text)),
  async before(t) {
    await t.http("/api/agent-name?repo=Cloudflare/Agents");
    await t.http("/api/agent-name");
    await t.http("/normalize.css");
    await t.http("/webhooks/github/cloudflare/agents", webhook("push", { ref: "refs/heads/main", commits: [{ message: "Fix the thing\n\nLonger text", url: "https://github.com/cloudflare/agents/commit/1" }] }));
    await t.http("/webhooks/github/cloudflare/agents", webhook("issues", { action: "opened", issue: { number: 12, title: "Broken", html_url: "https://github.com/cloudflare/agents/issues/12" } }));
    await t.http("/webhooks/github/cloudflare/agents", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ repository: REPOSITORY }) });
    await t.http("/webhooks/github/cloudflare/agents", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    const client = await connect(t, "dashboard");
    await call(client, "1", "getEvents", [10]);
    await call(client, "2", "getStats");
    await call(client, "3", "noSuchMethod");
    client.close();
  },
  async after(t) {
    const client = await connect(t, "dashboard after restart");
    await call(client, "4", "getEvents");
    await call(client, "5", "clearEvents");
    await call(client, "6", "getEvents");
    client.close();
  },
};
