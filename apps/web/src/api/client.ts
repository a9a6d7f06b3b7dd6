import createClient from 'openapi-fetch';
import type { components, paths } from './schema';
import { readToken, signOut } from '../session';

export type Schemas = components['schemas'];

/** A refusal of the API, with its one-line message (and, for a 429, when to retry). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The generated client: every path, parameter and body is typed from the server's OpenAPI document. */
export const api = createClient<paths>({ baseUrl: window.location.origin });

api.use({
  onRequest({ request }) {
    const token = readToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  async onResponse({ response }) {
    if (response.status === 401 && readToken()) {
      signOut(`Signed out: ${await messageOf(response.clone())}`);
    }
    return response;
  },
});

async function messageOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
    if (Array.isArray(body.message)) return body.message.join('; ');
  } catch {
    // Not JSON: say what the status says.
  }
  return `${response.status} ${response.statusText}`.trim();
}

/** A 429's message: when the next request may be made. */
export function retryMessage(response: Response): string {
  const seconds = Number(response.headers.get('Retry-After'));
  if (!Number.isFinite(seconds) || seconds <= 0) return 'Too many requests: wait a minute, then retry.';
  const at = new Date(Date.now() + seconds * 1000).toLocaleTimeString('en-GB');
  return `Too many requests: retry in ${Math.ceil(seconds)} s (at ${at}).`;
}

/**
 * The data of an openapi-fetch result, or an ApiError with the API's own
 * message (a 429 says when to retry).
 */
export async function must<T>(
  pending: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await pending;
  if (response.ok && error === undefined) return data as T;
  if (response.status === 429) throw new ApiError(429, retryMessage(response));
  const body = error as { message?: unknown } | undefined;
  const message =
    typeof body?.message === 'string'
      ? body.message
      : Array.isArray(body?.message)
        ? body.message.join('; ')
        : `${response.status} ${response.statusText}`.trim();
  throw new ApiError(response.status, message);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
