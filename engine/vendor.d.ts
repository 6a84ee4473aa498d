// bpmn-moddle ships no types reachable with CommonJS resolution; this is the part the engine uses.
declare module 'bpmn-moddle' {
  class BpmnModdle {
    constructor(packages?: Record<string, object>);
    fromXML(xml: string, typeName?: string): Promise<unknown>;
  }
  export = BpmnModdle;
}

// dmn-moddle is ESM-only and ships no types; this is the part engine/model/dmn.ts uses.
declare module 'dmn-moddle' {
  export function DmnModdle(
    packages?: Record<string, object>,
    options?: Record<string, unknown>,
  ): { fromXML(xml: string, typeName?: string): Promise<unknown> };
}
