/**
 * The signed-in token. It lives in sessionStorage only: gone when the tab
 * closes, never in localStorage (kept across sessions) nor in a URL (kept in
 * history, logs and referrers).
 */
const KEY = 'spotlight.token';

type Listener = () => void;
const listeners = new Set<Listener>();
let signedOutReason: string | null = null;

export function readToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function signIn(token: string): void {
  sessionStorage.setItem(KEY, token);
  signedOutReason = null;
  listeners.forEach((listener) => listener());
}

/** Forgets the token; `reason` is the one line the sign-in page then shows. */
export function signOut(reason: string | null = null): void {
  sessionStorage.removeItem(KEY);
  signedOutReason = reason;
  listeners.forEach((listener) => listener());
}

export function lastSignOutReason(): string | null {
  return signedOutReason;
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
