// What workerd's globals and request.cf do off Cloudflare, beyond what the surface fixture
// compares with workerd (test/presets/workerd-surface.test.ts): cancellation and precedence.
import { describe, expect, it } from "vitest";
import { clientIp, requestCf, incomingRequest } from "../../src/runtime/request-cf";
import { installWorkerdGlobals, WORKERS_USER_AGENT } from "../../src/runtime/state/workerd-globals";

installWorkerdGlobals();
const { scheduler } = globalThis as unknown as { scheduler: { wait(ms: number, options?: { signal?: AbortSignal }): Promise<void> } };

describe("workerd's globals", () => {
  it("scheduler.wait rejects with the signal's reason when aborted, before or while waiting", async () => {
    await expect(scheduler.wait(60_000, { signal: AbortSignal.abort(new Error("before")) })).rejects.toThrow("before");
    const controller = new AbortController();
    const waiting = scheduler.wait(60_000, { signal: controller.signal });
    controller.abort(new Error("while"));
    await expect(waiting).rejects.toThrow("while");
    await expect(scheduler.wait(1)).resolves.toBeUndefined();
  });

  it("navigator.userAgent is workerd's", () => {
    expect(navigator.userAgent).toBe(WORKERS_USER_AGENT);
  });
});

describe("request.cf", () => {
  it("takes the first header present for each field, Cloudflare's own before other platforms'", () => {
    const headers = new Headers({ "cf-ipcountry": "DE", "x-vercel-ip-country": "FR", "cloudfront-viewer-city": "Lyon", "x-vercel-ip-timezone": "Europe/Paris", "cf-colo": "fra" });
    expect(requestCf(headers)).toEqual({ country: "DE", city: "Lyon", timezone: "Europe/Paris", colo: "FRA" });
    expect(requestCf(new Headers())).toEqual({});
  });

  it("keeps a city name that is not URL-encoded as it is", () => {
    expect(requestCf(new Headers({ "x-vercel-ip-city": "100%" })).city).toBe("100%");
  });

  it("reads the client's address from the nearest proxy's header, the first hop of x-forwarded-for last", () => {
    expect(clientIp(new Headers({ "x-forwarded-for": "198.51.100.1, 10.0.0.2", "fly-client-ip": "203.0.113.9" }))).toBe("203.0.113.9");
    expect(clientIp(new Headers({ "x-forwarded-for": " 198.51.100.1 , 10.0.0.2" }))).toBe("198.51.100.1");
    expect(clientIp(new Headers())).toBeUndefined();
  });

  it("leaves a request that came through Cloudflare as it is", () => {
    const request = new Request("http://x/", { headers: { "cf-connecting-ip": "192.0.2.1", "x-forwarded-for": "198.51.100.1" } });
    Object.defineProperty(request, "cf", { value: { colo: "AMS", asn: 13335 } });
    const seen = incomingRequest(request) as Request & { cf: unknown };
    expect(seen.cf).toEqual({ colo: "AMS", asn: 13335 });
    expect(seen.headers.get("cf-connecting-ip")).toBe("192.0.2.1");
  });
});
