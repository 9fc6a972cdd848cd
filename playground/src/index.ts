import type { Env } from "./env";
import { BadInputError, objectName, pathSegment, shortText, wholeNumber } from "./input";

export { ChatRoom } from "./chat-room";
export { Counter } from "./counter";
export { Scoreboard } from "./scoreboard";
export { Timer } from "./timer";

/**
 * dotdo's server outputs answer `/__dotdo/info` before the Worker runs; it reaches the Worker
 * only where no dotdo server is in front of it, which for the playground's targets is workerd.
 */
const WORKERD_INFO = { runtime: "workerd", version: null, storage: "workerd" };

type Route = (env: Env, name: string, url: URL, request: Request) => Promise<Response>;

const json = async (answer: Promise<unknown>): Promise<Response> => {
  const body = await answer;
  // Where the runtime has no checkpoints: the body says why.
  const status = typeof body === "object" && body !== null && "unavailable" in body ? 501 : 200;
  return Response.json(body, { status });
};

/** `METHOD kind/action` → what it does to the object named in the path. */
const ROUTES: Record<string, Route> = {
  "GET counter": (env, name) => json(env.COUNTER.getByName(name).count().then((count) => ({ count }))),
  "POST counter/increment": (env, name) => json(env.COUNTER.getByName(name).increment().then((count) => ({ count }))),
  "POST counter/checkpoint": (env, name) => json(env.COUNTER.getByName(name).checkpoint()),
  "GET counter/checkpoints": (env, name) => json(env.COUNTER.getByName(name).checkpoints()),
  "POST counter/restore": (env, name, url) => json(env.COUNTER.getByName(name).restore(wholeNumber(url.searchParams, "sequence", 1, Number.MAX_SAFE_INTEGER))),
  "GET room": async (env, name, url, request) => {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return Response.json({ error: "expected a WebSocket upgrade" }, { status: 426 });
    objectName(url.searchParams.get("user"), "?user");
    return env.ROOM.getByName(name).fetch(request);
  },
  "POST timer/schedule": (env, name, url) =>
    json(env.TIMER.getByName(name).schedule(shortText(url.searchParams, "note", "ping", 100), wholeNumber(url.searchParams, "seconds", 1, 3600) * 1000).then((due) => ({ due }))),
  "GET timer": (env, name) => json(env.TIMER.getByName(name).status()),
  "POST scoreboard/read": (env, name, url) => json(env.SCOREBOARD.getByName(name).readCounter(objectName(url.searchParams.get("counter"), "?counter"))),
};

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/__dotdo/info") return Response.json(WORKERD_INFO);
    const [, api, kind, name, action] = url.pathname.split("/");
    const route = api === "api" ? ROUTES[`${request.method} ${kind}${action ? `/${action}` : ""}`] : undefined;
    if (!route) return Response.json({ error: `no route ${request.method} ${url.pathname}` }, { status: 404 });
    try {
      return await route(env, objectName(pathSegment(name), "the object name"), url, request);
    } catch (error) {
      if (error instanceof BadInputError) return Response.json({ error: error.message, code: error.code }, { status: 400 });
      throw error;
    }
  },
};
