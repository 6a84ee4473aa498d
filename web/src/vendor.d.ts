/** camunda-dmn-js ships no type declarations; the modeler page types what it uses (see web-modeler/editors.ts). */
declare module 'camunda-dmn-js';
