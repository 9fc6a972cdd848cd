/** The one way a test talks to the conformance Worker, on whichever runtime it runs. */
export interface RunningWorker {
  readonly label: string;
  fetch(request: Request): Promise<Response>;
  dispose(): Promise<void>;
}

/** Runs one named scenario of the conformance Worker and returns its decoded JSON. */
export async function runScenario(worker: Pick<RunningWorker, "label" | "fetch">, name: string): Promise<unknown> {
  const response = await worker.fetch(new Request(`http://conformance.test/scenario/${encodeURIComponent(name)}`));
  if (!response.ok) throw new Error(`${worker.label}: scenario "${name}" answered ${response.status}: ${await response.text()}`);
  return response.json();
}

/** What a run of the whole suite in another runtime's process answers. */
export interface PlatformRun {
  scenarios: Record<string, unknown>;
  /** `binding:name` → `env[binding].idFromName(name)`. */
  ids: Record<string, string>;
}

/** Names whose ids every platform must derive identically (the ids are dotdo's, not workerd's). */
export const ID_NAMES = ["RPC:alpha", "SQL:alpha", "RPC:", "RPC:ünï😀"];

interface IdMinter {
  idFromName(name: string): { toString(): string };
}

export function idsOf(env: Record<string, unknown>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    keys.map((key) => {
      const [binding = "", name = ""] = key.split(/:(.*)/s);
      return [key, (env[binding] as IdMinter).idFromName(name).toString()];
    }),
  );
}
