/** Small hooks: load something and keep it, poll it, run an action with its error. */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again (keeps showing the old data meanwhile). */
  reload: () => void;
}

/**
 * Runs `load` when `deps` change, and every `pollMs` milliseconds when
 * given (only while the tab is visible). A load that finishes after a
 * newer one started is dropped, so old answers never overwrite new ones.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], pollMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const run = useCallback(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    loadRef.current().then(
      (data) => mine === seq.current && setState({ data, error: null, loading: false }),
      (error: unknown) => mine === seq.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
  }, []);
  // The caller names what the load depends on.
  useEffect(() => {
    setState({ data: undefined, error: null, loading: true });
    run();
    if (pollMs === undefined) return () => void seq.current++;
    const timer = setInterval(() => document.visibilityState === "visible" && run(), pollMs);
    return () => {
      clearInterval(timer);
      seq.current++;
    };
  }, deps);
  return { ...state, reload: run };
}

export interface Action<A extends unknown[]> {
  run: (...args: A) => Promise<boolean>;
  busy: boolean;
  error: unknown;
  clear: () => void;
}

/** Wraps an action (a create, a delete…): `busy` while it runs, its error kept to show; `run` resolves whether it worked. */
export function useAction<A extends unknown[]>(act: (...args: A) => Promise<unknown>): Action<A> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const actRef = useRef(act);
  actRef.current = act;
  const run = useCallback(async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      await actRef.current(...args);
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, busy, error, clear: () => setError(null) };
}
