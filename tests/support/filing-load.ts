/**
 * A steady stream of petitions filed through `POST /api/cases` by a few concurrent clients, as the fault tests
 * need it: every attempt is recorded (when, how long, what came back), so a test can say which filings were
 * accepted (201), how many failed and how, and check the accepted ones afterwards. The clients keep going through
 * refused connections and errors: they sign in again when their session cannot be read and wait a little between
 * failed attempts, the way a reception desk would retry.
 */
export interface Attempt {
  client: number;
  seq: number;
  /** The marker in the petition's description, to find its row even when the answer was lost. */
  marker: string;
  phone: string;
  startedAt: number;
  ms: number;
  /** HTTP status, or 0 when no answer came (connection refused or reset, timed out). */
  status: number;
  /** The case id of a 201. */
  id?: string;
  /** The problem's title and detail, or the transport error. */
  error?: string;
  detail?: string;
}

export interface FilingLoadOptions {
  url: string;
  clients?: number;
  /** Pause between two filings of one client. */
  pauseMs?: number;
  /** Pause after a failed filing. */
  failurePauseMs?: number;
  /** A filing that takes longer is abandoned and recorded as status 0 ("hung"). */
  requestTimeoutMs?: number;
  username?: string;
  password?: string;
  /** Phone numbers are 1 + this digit + 9 digits of client and sequence: every petitioner is a different resident. */
  phonePrefix?: string;
}

export class FilingLoad {
  readonly attempts: Attempt[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly o: Required<FilingLoadOptions>;

  constructor(options: FilingLoadOptions) {
    this.o = {
      clients: 3,
      pauseMs: 50,
      failurePauseMs: 250,
      requestTimeoutMs: 20_000,
      username: 'reception',
      password: 'demo-2026',
      phonePrefix: '3',
      ...options,
    };
  }

  start(): void {
    this.running = true;
    for (let client = 0; client < this.o.clients; client++) this.loops.push(this.loop(client));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  accepted(): Attempt[] {
    return this.attempts.filter((a) => a.status === 201);
  }

  failed(): Attempt[] {
    return this.attempts.filter((a) => a.status !== 201);
  }

  /** How many failed attempts ended with each status (0: no answer). */
  failuresByStatus(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const a of this.failed()) out[a.status] = (out[a.status] ?? 0) + 1;
    return out;
  }

  private async loop(client: number): Promise<void> {
    let session: { cookie: string; csrf: string } | undefined;
    let seq = 0;
    while (this.running) {
      if (!session) {
        session = await this.signIn().catch(() => undefined);
        if (!session) {
          await sleep(this.o.failurePauseMs);
          continue;
        }
      }
      seq++;
      const marker = `load-${client}-${seq}-${Date.now().toString(36)}`;
      const phone = `1${this.o.phonePrefix}${String(client).padStart(2, '0')}${String(seq).padStart(7, '0')}`;
      const attempt: Attempt = { client, seq, marker, phone, startedAt: Date.now(), ms: 0, status: 0 };
      try {
        const res = await fetch(`${this.o.url}/api/cases`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrf },
          body: JSON.stringify({
            channel: 'walk-in',
            category: '噪音扰民',
            description: `压力测试 ${marker}`,
            petitioner: { name: `测试${client}-${seq}`, phone },
          }),
          signal: AbortSignal.timeout(this.o.requestTimeoutMs),
        });
        attempt.status = res.status;
        const body = (await res.json().catch(() => ({}))) as { id?: string; title?: string; detail?: string };
        if (res.status === 201) attempt.id = body.id;
        else {
          attempt.error = body.title;
          attempt.detail = body.detail;
        }
        // A session the server no longer knows (or could not read) is replaced.
        if (res.status === 401 || res.status === 403) session = undefined;
      } catch (error) {
        const e = error as Error & { cause?: { code?: string } };
        attempt.error =
          e.name === 'TimeoutError' ? `no answer within ${this.o.requestTimeoutMs} ms` : (e.cause?.code ?? e.message);
      }
      attempt.ms = Date.now() - attempt.startedAt;
      this.attempts.push(attempt);
      await sleep(attempt.status === 201 ? this.o.pauseMs : this.o.failurePauseMs);
    }
  }

  private async signIn(): Promise<{ cookie: string; csrf: string }> {
    const res = await fetch(`${this.o.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: this.o.username, password: this.o.password }),
      signal: AbortSignal.timeout(this.o.requestTimeoutMs),
    });
    if (res.status !== 201) throw new Error(`sign-in answered ${res.status}`);
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    return { cookie: res.headers.get('set-cookie')!.split(';')[0], csrf: csrfToken };
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
