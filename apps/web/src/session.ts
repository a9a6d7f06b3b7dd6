/**
 * The signed-in token. It lives in sessionStorage only: gone when the tab
 * closes, never in localStorage (kept across sessions) nor in a URL (kept in
 * history, logs and referrers).
 */
const KEY = 'spotlight.token';

/** Why the last sign-out happened, kept beside the token so that a reload still says it. */
const REASON_KEY = 'spotlight.signedOutReason';

type Listener = () => void;
const listeners = new Set<Listener>();

export function readToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function signIn(token: string): void {
  sessionStorage.setItem(KEY, token);
  sessionStorage.removeItem(REASON_KEY);
  listeners.forEach((listener) => listener());
}

/**
 * Forgets the token; `reason` is the one line the sign-in page then shows,
 * also after a reload (a request of an earlier page may be the one refused).
 */
export function signOut(reason: string | null = null): void {
  sessionStorage.removeItem(KEY);
  if (reason) sessionStorage.setItem(REASON_KEY, reason);
  else sessionStorage.removeItem(REASON_KEY);
  listeners.forEach((listener) => listener());
}

export function lastSignOutReason(): string | null {
  return sessionStorage.getItem(REASON_KEY);
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
