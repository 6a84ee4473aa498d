/** The domain API from the pages: JSON, the session cookie, the CSRF token on every change, problem details as errors. */
import { lang } from './i18n';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { title?: string; detail?: string; errors?: Array<{ field: string; message: string }> },
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

let csrf: string | undefined;

export interface Me {
  username: string;
  displayName: string;
  roles: string[];
  csrfToken: string;
}

/** A call to the API: JSON in and out, or a form with files (FormData, sent as multipart). */
export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const form = body instanceof FormData;
  const res = await fetch(`/api${path}`, {
    method,
    credentials: 'same-origin',
    headers: {
      'accept-language': lang() === 'en' ? 'en' : 'zh-CN',
      ...(body !== undefined && !form ? { 'content-type': 'application/json' } : {}),
      ...(csrf && method !== 'GET' ? { 'x-csrf-token': csrf } : {}),
    },
    body: form ? body : body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) throw new ApiError(res.status, json ?? {});
  return json as T;
}

/** The signed-in user, or a redirect to the sign-in page. */
export async function requireMe(): Promise<Me> {
  try {
    const me = await call<Me>('GET', '/me');
    csrf = me.csrfToken;
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      location.href = `/?next=${encodeURIComponent(location.pathname + location.search)}`;
    }
    throw error;
  }
}

export async function signIn(username: string, password: string): Promise<Me> {
  const me = await call<Me>('POST', '/session', { username, password });
  csrf = me.csrfToken;
  return me;
}

export async function signOut(): Promise<void> {
  await call('DELETE', '/session');
  csrf = undefined;
}
