/**
 * What every job worker is: a job type, and a pure handler from the job's variables and headers (plus the
 * dependencies it is given) to the variables it completes the job with. Business outcomes the models route on
 * leave as a BpmnError; anything else thrown fails the job (retries, then an incident) with its message — at once
 * into an incident when the error says `retryable: false` (only a person can mend it, e.g. a calendar year to add).
 */
import type { Db } from '../platform/db';
import type { Logger } from '../platform/logger';
import type { StartProcessOnce } from '../domain/key-persons';
import type { PiiCipher } from '../platform/pii';

export interface SmsMessage {
  /** Phone number, decrypted only for sending. */
  to: string;
  text: string;
  /** Stable across retries of the same job: a provider that supports it drops duplicates. */
  idempotencyKey: string;
}

/** Sends text messages; which provider (outbox, generic HTTP gateway, Alibaba Cloud) comes from the configuration. */
export interface SmsSender {
  readonly name: string;
  send(message: SmsMessage): Promise<{ providerMessageId?: string }>;
}

export interface JobInput {
  /** The job's variables (process variables plus the task's input mappings). */
  variables: Record<string, unknown>;
  /** Task headers from the model (e.g. `template`, `recipient`, `phase`). */
  headers: Record<string, string>;
  /** Identity of this job: stable across retries, so side effects can be made idempotent on it. */
  jobKey: string;
  processInstanceKey: string;
  elementId: string;
}

export interface WorkerDeps {
  db: Db;
  log: Logger;
  /** The business clock (tests pin it); deadlines are computed from it. */
  now: () => Date;
  /** Address residents reach the app at (rating links). */
  publicUrl: string;
  timeZone: string;
  /** Decrypts petitioners' phone numbers for sending (never put into variables or logs). */
  pii: PiiCipher;
  sms: SmsSender;
  /** Evaluates a deployed DMN decision through the engine API (Camunda's evaluateDecision). */
  decide(decisionId: string, variables: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Starts a process at most once per key (see StartProcessOnce). */
  startProcessOnce: StartProcessOnce;
}

/** A business outcome the model catches with an error boundary (e.g. CASE_NOT_RESOLVED). */
export class BpmnError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly variables: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'BpmnError';
  }
}

export interface JobWorker {
  type: string;
  /** How long a job may run before the engine hands it to another worker. */
  timeoutMs?: number;
  handle(job: JobInput, deps: WorkerDeps): Promise<Record<string, unknown>>;
}

/** Whether a failure could pass by itself on a retry (see the header: `retryable: false` says it cannot). */
export function isRetryable(error: unknown): boolean {
  return !(typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === false);
}

/** Reads a required variable, failing the job with a message that names it when it is missing or of the wrong type. */
export function required<T extends 'string' | 'number' | 'boolean'>(
  variables: Record<string, unknown>,
  name: string,
  type: T,
): T extends 'string' ? string : T extends 'number' ? number : boolean {
  const value = variables[name];
  if (typeof value !== type) {
    throw new Error(
      `The job needs the process variable "${name}" as a ${type}, but it is ${value === undefined ? 'missing' : JSON.stringify(value)}`,
    );
  }
  return value as never;
}
