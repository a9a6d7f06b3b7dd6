import { useState, type FormEvent } from 'react';
import { api, retryMessage } from '../api/client';
import { Field, Problem, useTitle } from '../components';
import { lastSignOutReason, signIn } from '../session';

/** A token (staff or site) typed or pasted once, checked against the API, kept for this tab only. */
export function SignInPage() {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(lastSignOutReason());
  const [busy, setBusy] = useState(false);
  useTitle('Sign in');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const value = token.trim();
    if (!value) return setProblem('Enter a token (spx_...) from "spotlight token create".');
    setBusy(true);
    // Any authenticated read proves the token; it is kept only once it has.
    const { response, error } = await api.GET('/exports', {
      params: { query: { limit: 1 } },
      headers: { Authorization: `Bearer ${value}` },
    });
    setBusy(false);
    if (response.ok) return signIn(value);
    if (response.status === 429) return setProblem(retryMessage(response));
    const message = (error as { message?: unknown } | undefined)?.message;
    setProblem(typeof message === 'string' ? message : `The server answered ${response.status}; try again.`);
  };

  return (
    <main id="main" className="sign-in">
      <h1>Spotlight exports</h1>
      <form aria-label="Sign in" onSubmit={(event) => void submit(event)}>
        <Field label="Token">
          <input
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(event) => setToken(event.target.value)}
            autoFocus
          />
        </Field>
        {/* aria-disabled while busy, not disabled: a disabled button loses the focus to the page. */}
        <button type="submit" aria-disabled={busy}>
          Sign in
        </button>
        <Problem message={problem} />
        <p className="hint">
          A staff or site token from <code>spotlight token create</code>. It is kept in this tab only and
          forgotten when you sign out or close it.
        </p>
      </form>
    </main>
  );
}
