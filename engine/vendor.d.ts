// bpmn-moddle ships no types reachable with CommonJS resolution; this is the part the engine uses.
declare module 'bpmn-moddle' {
  class BpmnModdle {
    constructor(packages?: Record<string, object>);
    fromXML(xml: string, typeName?: string): Promise<unknown>;
  }
  export = BpmnModdle;
}
