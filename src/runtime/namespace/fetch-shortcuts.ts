/**
 * The `get()`, `put()` and `delete()` that workerd's stubs had before `fetcher_no_get_put_delete`
 * (the default from 2024-03-26): `fetch()` with that method, a failed status thrown as workerd
 * words it (`Fetcher::get`, `put`, `delete_` in workerd's api/http.c++).
 */
type StubFetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface FetchShortcuts {
  get(url: string, type?: string): Promise<unknown>;
  put(url: string, body: RequestInit["body"], options?: { expiration?: number; expirationTtl?: number }): Promise<void>;
  delete(url: string): Promise<void>;
}

export function fetchShortcuts(fetch: StubFetch): FetchShortcuts {
  return {
    async get(url, type = "text") {
      const response = await fetch(url, { method: "GET" });
      // A missing resource is null, not an error.
      if (response.status === 404 || response.status === 410) return null;
      if (!response.ok) throw failed("GET", response);
      return readAs(response, type);
    },
    async put(url, body, options = {}) {
      const target = new URL(url);
      if (options.expiration !== undefined) target.searchParams.append("expiration", String(options.expiration));
      if (options.expirationTtl !== undefined) target.searchParams.append("expiration_ttl", String(options.expirationTtl));
      throwUnlessOk("PUT", await fetch(target.href, { method: "PUT", body }));
    },
    async delete(url) {
      throwUnlessOk("DELETE", await fetch(url, { method: "DELETE" }));
    },
  };
}

function readAs(response: Response, type: string): Promise<unknown> | ReadableStream {
  switch (type) {
    case "stream":
      return response.body ?? new ReadableStream({ start: (controller) => controller.close() });
    case "text":
      return response.text();
    case "arrayBuffer":
      return response.arrayBuffer();
    case "json":
      return response.json();
    default:
      throw new TypeError('Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".');
  }
}

function throwUnlessOk(method: string, response: Response): void {
  if (response.status < 200 || response.status >= 300) throw failed(method, response);
}

function failed(method: string, response: Response): Error {
  return new Error(`HTTP ${method} request failed: ${response.status} ${response.statusText}`);
}
