import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request being served, as seen from anywhere below the Koa middleware that opened it: the logger stamps its id on
 * every line without each caller passing it along. Module-level on purpose: it holds no state of its own (each request
 * runs in its own store), so several app instances in one process share it safely.
 */
const storage = new AsyncLocalStorage<{ reqId: string }>();

/** Runs `fn` (the rest of the request) with `reqId` as the current request id. */
export const runWithRequestId = <T>(reqId: string, fn: () => T): T => storage.run({ reqId }, fn);

/** The id of the request being served, or undefined outside one (start-up, timers). */
export const currentRequestId = (): string | undefined => storage.getStore()?.reqId;
