// Waiting on observable state in the end-to-end tests, never on a sleep.

/**
 * Calls `check` every 20 ms until it returns something truthy, and
 * resolves to that; fails naming `what` once `timeoutMs` (default 15 s)
 * has passed.
 */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
