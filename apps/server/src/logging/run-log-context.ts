import { AsyncLocalStorage } from 'node:async_hooks';

/** Fields that every log line written inside a worker's scope carries. */
interface RunFields {
  runId?: number;
}

const scope = new AsyncLocalStorage<RunFields>();

/**
 * Runs one turn of the worker in its own log scope. The run is not known
 * until it is claimed, deep inside, so the scope starts empty and
 * {@link nameRunInLogs} fills it in: from then on every line logged by the
 * runner, the alerts and the worker's own outcome line names the run.
 */
export function inRunLogScope<T>(work: () => Promise<T>): Promise<T> {
  return scope.run({}, work);
}

/** Names the run in the current worker scope; does nothing outside one. */
export function nameRunInLogs(runId: number): void {
  const fields = scope.getStore();
  if (fields) fields.runId = runId;
}

/** The run fields of the current scope, for the logger to merge into each line. */
export function runLogFields(): RunFields {
  return { ...scope.getStore() };
}
