/** Errors with Camunda's REST semantics: status and the title Camunda uses (NOT_FOUND, INVALID_STATE, …). */
export class EngineError extends Error {
  constructor(
    readonly status: number,
    readonly title:
      | 'NOT_FOUND'
      | 'INVALID_ARGUMENT'
      | 'INVALID_STATE'
      | 'ALREADY_EXISTS'
      | 'UNAUTHORIZED'
      | 'RESOURCE_EXHAUSTED'
      | 'INTERNAL',
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'EngineError';
  }
}

export const notFound = (what: string, key: string) =>
  new EngineError(404, 'NOT_FOUND', `Expected to find ${what} with key '${key}', but no such ${what} was found`);
export const invalidArgument = (detail: string, extra?: Record<string, unknown>) =>
  new EngineError(400, 'INVALID_ARGUMENT', detail, extra);
export const invalidState = (detail: string) => new EngineError(409, 'INVALID_STATE', detail);
