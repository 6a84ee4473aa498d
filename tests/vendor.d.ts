// Packages the tests use that ship no types reachable with CommonJS resolution.
declare module '@bpmn-io/feel-lint' {
  export function lintExpression(
    expression: string,
  ): Array<{ message: string; severity: string; from: number; to: number }>;
}
