/** camunda-dmn-js ships no type declarations; the modeler page types what it uses (see web-modeler/editors.ts). */
declare module 'camunda-dmn-js';
/** dmn-js's viewer (the web modeler's read-only view of a decision) ships no type declarations either. */
declare module 'dmn-js/lib/Viewer';
