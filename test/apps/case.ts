import type { MiniflareOptions } from "miniflare";
import type { Visit } from "./visit";

/** One vendored app (test/fixtures/apps/<name>) and what a user does with it. */
export interface AppCase {
  /** Its folder under test/fixtures/apps. */
  name: string;
  /** Replaces what legitimately differs between two runs (ids, clocks) in every recorded text. */
  scrub?: (text: string) => string;
  /** Before the restart. */
  before(t: Visit): Promise<void>;
  /** After every target has been stopped and started again on its stored state. */
  after(t: Visit): Promise<void>;
  /** What the platform tells workerd about each request (the shim reads the proxy's headers instead). */
  workerd?: Partial<MiniflareOptions>;
}

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Scrubbers shared by several apps. */
export const scrubbers = {
  uuid: (text: string) => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>"),
  isoTime: (text: string) => text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, "<time>"),
  hexId: (text: string) => text.replace(/\b[0-9a-f]{64}\b/g, "<id>"),
};
