// Long jobs (sweeps, the plan refresh, the alert feed) work in chunks and let other callbacks run between them.

/** Resolves after the I/O callbacks already waiting have run (setImmediate: timers and sockets are not starved). */
export const yieldToEventLoop = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
