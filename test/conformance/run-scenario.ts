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
