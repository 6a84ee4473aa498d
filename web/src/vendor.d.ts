/** camunda-dmn-js ships no type declarations; the modeler page types what it uses (see lib/editors.ts). */
declare module 'camunda-dmn-js';
