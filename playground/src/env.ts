import type { DurableObjectNamespace } from "cloudflare:workers";
import type { ChatRoom } from "./chat-room";
import type { Counter } from "./counter";
import type { Scoreboard } from "./scoreboard";
import type { Timer } from "./timer";

/** The bindings wrangler.jsonc declares. */
export interface Env {
  COUNTER: DurableObjectNamespace<Counter>;
  ROOM: DurableObjectNamespace<ChatRoom>;
  TIMER: DurableObjectNamespace<Timer>;
  SCOREBOARD: DurableObjectNamespace<Scoreboard>;
}
