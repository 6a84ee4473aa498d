/** camunda-dmn-js ships no type declarations; the modeler page types what it uses (see web-modeler/editors.ts). */
declare module 'camunda-dmn-js';
/** dmn-js's viewer (the web modeler's read-only view of a decision) ships no type declarations either. */
declare module 'dmn-js/lib/Viewer';
/** bpmn-js-i18n's translations are plain objects of English text to the language's. */
declare module 'bpmn-js-i18n/translations/zn' {
  const translations: Record<string, string>;
  export default translations;
}
