/** The modeler's packages that ship no type declarations, typed as far as the modeler uses them. */
declare module 'bpmn-js-differ' {
  /** The differences between two models' definitions (see web-modeler/diff.ts for the shape used). */
  export function diff(before: unknown, after: unknown): unknown;
}
declare module 'bpmn-js-token-simulation' {
  /** The token simulation for bpmn-js's modeler: a diagram-js module. */
  const module: object;
  export default module;
}
declare module 'zeebe-bpmn-moddle/resources/zeebe.json' {
  /** Camunda 8's BPMN extensions (zeebe:*) as a moddle package. */
  const descriptor: object;
  export default descriptor;
}
