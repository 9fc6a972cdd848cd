/**
 * Drives the provider's own HTML pages the way a person in a browser would: follows
 * redirects, keeps cookies, fills and submits each form it is shown. No browser engine is
 * needed because the device-flow and login pages are plain HTML forms.
 */
export interface UserStep {
  userCode: string;
  /** Account id typed on the provider's login page. */
  login: string;
  /** `deny` presses the device page's abort button instead of confirming. */
  decision?: "approve" | "deny";
}

export async function completeDeviceLogin(verificationUri: string, step: UserStep): Promise<string> {
  const cookies = new Map<string, string>();
  let page = await request(cookies, verificationUri);
  for (let forms = 0; forms < 10; forms += 1) {
    const form = parseForm(page.body);
    if (!form) return page.body;
    const fields = new URLSearchParams(form.fields);
    if (fields.has("user_code") && !fields.get("user_code")) fields.set("user_code", step.userCode);
    if (fields.has("login")) fields.set("login", step.login);
    if (fields.has("password")) fields.set("password", "any");
    const deny = fields.get("confirm") === "yes" && step.decision === "deny";
    if (deny) {
      fields.delete("confirm");
      fields.set("abort", "yes");
    }
    page = await request(cookies, new URL(form.action, page.url).href, fields);
    if (deny) return page.body;
  }
  throw new Error("the provider kept showing forms");
}

async function request(cookies: Map<string, string>, url: string, form?: URLSearchParams): Promise<{ url: string; body: string }> {
  let current = url;
  let init: RequestInit = form ? { method: "POST", body: form } : { method: "GET" };
  for (let hops = 0; hops < 10; hops += 1) {
    const response = await fetch(current, {
      ...init,
      redirect: "manual",
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; ") },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ""] = header.split(";");
      const index = pair.indexOf("=");
      cookies.set(pair.slice(0, index), pair.slice(index + 1));
    }
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      current = new URL(location, current).href;
      init = { method: "GET" };
      continue;
    }
    const body = await response.text();
    if (!response.ok) throw new Error(`${init.method} ${current} answered HTTP ${response.status}: ${body.slice(0, 300)}`);
    return { url: current, body };
  }
  throw new Error(`too many redirects from ${url}`);
}

function parseForm(html: string): { action: string; fields: [string, string][] } | undefined {
  const match = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!match) return undefined;
  const action = /action="([^"]*)"/i.exec(match[1] ?? "")?.[1] ?? "";
  const fields: [string, string][] = [];
  for (const input of (match[2] ?? "").matchAll(/<input\b([^>]*)>/gi)) {
    const name = /name="([^"]*)"/i.exec(input[1] ?? "")?.[1];
    const value = /value="([^"]*)"/i.exec(input[1] ?? "")?.[1] ?? "";
    if (name) fields.push([name, decodeEntities(value)]);
  }
  return { action: decodeEntities(action), fields };
}

const decodeEntities = (text: string) =>
  text.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
