import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, type Browser } from "./browser";
import { runOnWorkerd, runPlayground, type Served } from "./targets";

// The playground's page, clicked through in headless Chromium on the shim (node, bun and deno,
// each through the README's command) and on workerd (the cloudflare output, through miniflare).
interface Target {
  start: () => Promise<Served>;
  runtime: RegExp;
  storage: string;
  checkpoints: boolean;
}
const onShim = (runtime: "node" | "bun" | "deno"): Target => ({
  start: () => runPlayground(runtime),
  runtime: new RegExp(`^${runtime} \\d+\\.\\d+\\.\\d+`),
  storage: "file (Iceberg checkpoints)",
  checkpoints: true,
});
const TARGETS: Record<string, Target> = {
  node: onShim("node"),
  bun: onShim("bun"),
  deno: onShim("deno"),
  workerd: { start: runOnWorkerd, runtime: /^workerd$/, storage: "workerd's own Durable Object storage", checkpoints: false },
};

/** What each target's page showed, to compare them. */
const shown: Record<string, Record<string, unknown>> = {};

const text = (page: Page, selector: string) => page.locator(selector).first().textContent();
const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();
/** Waits for the page to show `expected` (the page updates after its requests answer). */
const shows = (page: Page, selector: string) => expect.poll(() => text(page, selector), { timeout: 15_000 });

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(Object.keys(TARGETS))("the playground on %s, clicked through in headless Chromium", (target) => {
  const expected = TARGETS[target]!;
  let served: Served;
  let page: Page;
  const seen: Record<string, unknown> = (shown[target] = {});
  const open = async () => {
    const tab = await browser.context.newPage();
    await tab.goto(served.url);
    // Loaded once the page has asked which runtime serves it.
    await tab.waitForFunction(`document.getElementById("runtime").textContent !== "…"`);
    return tab;
  };

  beforeAll(async () => {
    served = await expected.start();
    page = await open();
  });
  afterAll(async () => {
    await page?.close();
    await served?.stop();
  });

  it("says which runtime serves it and where the objects are stored", async () => {
    expect(await text(page, "#runtime")).toMatch(expected.runtime);
    expect(await text(page, "#storage")).toBe(expected.storage);
  });

  it("counts in the Counter object's SQL table", async () => {
    await shows(page, "#count").toBe("0");
    seen.counts = [];
    for (const count of ["1", "2", "3"]) {
      await page.click("#increment");
      await shows(page, "#count").toBe(count);
      (seen.counts as string[]).push(count);
    }
  });

  it("broadcasts a chat message from each of two pages to both, over hibernatable WebSockets", async () => {
    const other = await open();
    try {
      for (const [tab, user] of [[page, "alice"], [other, "bob"]] as const) {
        await tab.fill("#chat-user", user);
        await tab.click("#join");
        await expect.poll(() => tab.isEnabled("#send"), { timeout: 15_000 }).toBe(true);
      }
      await shows(page, "#members").toBe("alice, bob");
      await page.fill("#chat-text", "hello from alice");
      await page.click("#send");
      await expect.poll(() => texts(other, "#messages li"), { timeout: 15_000 }).toContain("alice: hello from alice");
      await other.fill("#chat-text", "hi alice");
      await other.click("#send");
      await expect.poll(() => texts(page, "#messages li"), { timeout: 15_000 }).toContain("bob: hi alice");
      await expect.poll(() => texts(other, "#messages li"), { timeout: 15_000 }).toContain("bob: hi alice");
      seen.chat = { alice: await texts(page, "#messages li"), bob: await texts(other, "#messages li") };
      expect(seen.chat).toEqual({
        alice: ["* alice joined", "* bob joined", "alice: hello from alice", "bob: hi alice"],
        bob: ["* bob joined", "alice: hello from alice", "bob: hi alice"],
      });
    } finally {
      await other.close();
    }
    // The room tells those left that bob went.
    await expect.poll(() => texts(page, "#messages li"), { timeout: 15_000 }).toContain("* bob left");
    await shows(page, "#members").toBe("alice");
  });

  it("runs a scheduled job when the object's alarm fires", async () => {
    await page.fill("#timer-seconds", "1");
    await page.fill("#timer-note", "tea");
    await page.click("#schedule");
    await expect.poll(() => text(page, "#fired li"), { timeout: 15_000 }).toMatch(/^fired: tea \(due .+, ran \d+ ms later\)$/);
    await shows(page, "#timer-pending").toBe("No alarm pending.");
    seen.alarm = (await text(page, "#fired li"))?.replace(/ \(.*/, "");
  });

  it("reads the counter from the Scoreboard object over RPC", async () => {
    await page.click("#rpc");
    await shows(page, "#rpc-result").toBe('counter "demo" says 3 (call #1 from the scoreboard)');
    seen.rpc = await text(page, "#rpc-result");
  });

  it(expected.checkpoints ? "lists the counter's checkpoints, and going back to one shows the count then" : "says plainly that there are no checkpoints", async () => {
    if (!expected.checkpoints) {
      await page.click("#checkpoint");
      await shows(page, "#checkpoint-result").toMatch(/^No checkpoints on workerd: /);
      await page.click("#list-checkpoints");
      await shows(page, "#checkpoints-note").toMatch(/^No checkpoints on workerd: Cloudflare stores Durable Objects itself\./);
      expect(await page.isHidden("#checkpoints")).toBe(true);
      return;
    }
    const saved = async () => {
      await page.click("#checkpoint");
      await shows(page, "#checkpoint-result").toMatch(/checkpoint #\d+$/);
      return (await text(page, "#checkpoint-result"))!.replace(/^.*#/, "");
    };
    const atThree = await saved();
    await page.click("#increment");
    await page.click("#increment");
    await shows(page, "#count").toBe("5");
    const atFive = await saved();
    await page.click("#list-checkpoints");
    const countThen = (sequence: string) => text(page, `#checkpoints tr[data-sequence="${sequence}"] td:nth-child(3)`);
    await expect.poll(() => countThen(atFive), { timeout: 15_000 }).toBe("5");
    expect(await countThen(atThree)).toBe("3");
    await page.click(`#checkpoints tr[data-sequence="${atThree}"] button`);
    await shows(page, "#checkpoints-note").toBe(`Restored checkpoint #${atThree}: the count is 3 again.`);
    await shows(page, "#count").toBe("3");
    // The object itself went back, not just the page.
    await page.reload();
    await shows(page, "#count").toBe("3");
  });

  it("showed no error", async () => {
    expect(await text(page, "#error")).toBe("");
  });

  it("refuses bad input with a 400 that names it, and the page shows it", async () => {
    const answer = await fetch(`${served.url}/api/timer/jobs/schedule?seconds=0`, { method: "POST" });
    expect(answer.status).toBe(400);
    seen.badInput = await answer.json();
    expect(seen.badInput).toEqual({ error: '?seconds must be a whole number from 1 to 3600; got "0"', code: "BAD_INPUT" });
    await page.fill("#counter-name", "no spaces");
    await page.press("#counter-name", "Enter");
    await shows(page, "#error").toBe('GET /api/counter/no%20spaces: the object name must be 1 to 64 letters, digits, "_" or "-"; got "no spaces"');
  });
});

describe("the page on the shim and on workerd", () => {
  it.each(["node", "bun", "deno"])("shows the same counts, chat, alarm, RPC answer and errors on %s as on workerd", (runtime) => {
    expect(Object.keys(shown.workerd!).sort()).toEqual(["alarm", "badInput", "chat", "counts", "rpc"]);
    expect(shown[runtime]).toEqual(shown.workerd);
  });
});
