/**
 * A browser-like client of the app's API for tests: keeps the session cookie, sends the CSRF token it was given on
 * every call, and answers the status, the parsed JSON body (empty for anything else), the raw text and the headers.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export class Session {
  cookie = '';
  csrf = '';
  /** `ip`: sent as X-Forwarded-For, for the per-address limits (the app trusts its loopback proxy). */
  constructor(
    readonly base: string,
    readonly ip?: string,
  ) {}

  async call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Json; text: string; headers: Headers }> {
    const raw = body instanceof FormData || typeof body === 'string' || body instanceof Uint8Array;
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(this.ip ? { 'x-forwarded-for': this.ip } : {}),
        ...(body !== undefined && !raw ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : raw ? (body as RequestInit['body']) : JSON.stringify(body),
    });
    // The session cookie is taken when set, and dropped when cleared (sign-out).
    const set = res.headers.get('set-cookie');
    if (set?.startsWith('xf_session=')) this.cookie = set.startsWith('xf_session=;') ? '' : set.split(';')[0];
    const text = await res.text();
    let parsed: Json = {};
    try {
      parsed = JSON.parse(text) as Json;
    } catch {
      /* CSV, files, HTML */
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  }

  async signIn(username: string, password = 'demo-2026'): Promise<this> {
    const res = await this.call('POST', '/api/session', { username, password });
    if (res.status !== 201) throw new Error(`sign-in of ${username} failed: ${res.text}`);
    this.csrf = res.body.csrfToken as string;
    return this;
  }
}
