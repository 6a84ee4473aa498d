/**
 * The models admins edit and deploy (BPMN, DMN, forms): what kind a file is by its name, and a problem found in one
 * (by bpmnlint, FEEL, the engine's own parser, XML or the form schema). The linting itself runs in the composition
 * root (server/model-lint.ts: it uses the embedded engine's parser) and reaches the API as `ApiDeps.lintModel`.
 */

export interface ModelProblem {
  /** bpmnlint rule, `feel`, `engine`, `xml` or `form`. */
  rule: string;
  /** The element the problem is on, when known (the modeler marks it on the diagram). */
  elementId?: string;
  message: string;
  severity: 'error' | 'warning';
}

export type ModelKind = 'bpmn' | 'dmn' | 'form';

export function kindOf(resourceName: string): ModelKind | undefined {
  const m = /\.(bpmn|dmn|form)$/.exec(resourceName);
  return m ? (m[1] as ModelKind) : undefined;
}

/** Lints a model file; `engine`: also whether the embedded engine would deploy it. */
export type LintModel = (name: string, content: string, options: { engine?: boolean }) => Promise<ModelProblem[]>;
