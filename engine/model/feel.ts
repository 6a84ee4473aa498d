/**
 * FEEL through feelin, with Zeebe's rules: an expression is a value starting with "="; anything else is a static
 * value. Results are turned into plain JSON (temporal values become ISO strings). A failing expression throws a
 * FeelError; callers turn it into an incident, never into a guess.
 */
import { evaluate, FeelDate, FeelDateTime, FeelDuration, FeelTime } from 'feelin';

export class FeelError extends Error {
  constructor(
    readonly expression: string,
    message: string,
  ) {
    super(`failed to evaluate expression '${expression}': ${message}`);
    this.name = 'FeelError';
  }
}

export function isFeel(value: unknown): value is string {
  return typeof value === 'string' && value.trimStart().startsWith('=');
}

/**
 * Built-in functions of Camunda's FEEL that feelin lacks. `assert(value, condition[, cause])` gives the value when the
 * condition holds, and fails the evaluation (an incident) otherwise.
 */
const BUILTINS = {
  assert: (value: unknown, condition: unknown, cause?: unknown) => {
    if (condition !== true) throw new Error(typeof cause === 'string' ? cause : 'The condition is not fulfilled');
    return value;
  },
};

/** Evaluates "=expr" against the variables, or returns a static value as it is. */
export function evaluateValue(value: string, variables: Record<string, unknown>): unknown {
  if (!isFeel(value)) return value;
  const expression = value.trimStart().slice(1);
  let result: unknown;
  try {
    result = evaluate(expression, expression.includes('assert') ? { ...BUILTINS, ...variables } : variables).value;
  } catch (error) {
    throw new FeelError(expression, (error as Error).message);
  }
  return toJson(result);
}

/** A sequence-flow condition: must yield a boolean; null or any other type is an error (Zeebe raises an incident). */
export function evaluateCondition(value: string, variables: Record<string, unknown>): boolean {
  const result = evaluateValue(value, variables);
  if (typeof result !== 'boolean') {
    throw new FeelError(
      value.trim().slice(1),
      `expected the result to be BOOLEAN, but was ${result === null || result === undefined ? 'NULL' : typeof result === 'number' ? 'NUMBER' : typeof result === 'string' ? 'STRING' : 'CONTEXT'}`,
    );
  }
  return result;
}

/** A value that must be a string or a list of strings (candidate groups, "a, b" or =["a","b"]). */
export function evaluateList(value: string | undefined, variables: Record<string, unknown>): string[] {
  if (value === undefined) return [];
  const result = evaluateValue(value, variables);
  if (Array.isArray(result)) return result.map(String);
  if (typeof result === 'string')
    return result
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (result === null) return [];
  throw new FeelError(value, `expected a list of strings, but was ${JSON.stringify(result)}`);
}

export function toJson(value: unknown): unknown {
  if (value instanceof FeelDateTime || value instanceof FeelDate || value instanceof FeelTime) {
    return (value as unknown as { iso?: string }).iso ?? String(value);
  }
  if (value instanceof FeelDuration) return (value as unknown as { iso?: string }).iso ?? String(value);
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === 'object') {
    if (typeof (value as { toISO?: unknown }).toISO === 'function') return (value as { toISO: () => string }).toISO();
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  }
  if (typeof value === 'function') return null;
  return value;
}
