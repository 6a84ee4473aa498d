/**
 * Three projects: unit (no I/O), integration (real database: Postgres when DATABASE_URL is set, else PGlite;
 * real engine) and e2e (a real browser). `npm test` runs unit and integration.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
// ESM-only packages in node_modules that must be turned into CommonJS for jest.
const esm = [
  'feelin',
  'dmn-moddle',
  'moddle',
  'moddle-xml',
  'min-dash',
  'saxen',
  '@lezer',
  'lezer-feel',
  '@bpmn-io',
  'bpmn-moddle',
  'dmn-engine',
  'temporal-[a-z]+',
  'xml-naming',
  'is-network-error',
  'p-retry',
  'anynum',
  'strnum',
  '@nodable',
  'file-type',
  'strtok3',
  'token-types',
  'uint8array-extras',
  '@tokenizer',
  '@borewit',
  'marked',
  'feelers',
];
const common = {
  transform: { '^.+\\.(t|j|mj|cj)sx?$': swc },
  // Also nested copies (node_modules/bpmnlint/node_modules/min-dash) must be transformed.
  transformIgnorePatterns: [`node_modules/(?!(?:[^/]+/node_modules/)?(?:${esm.join('|')})/)`],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json'],
  testEnvironment: 'node',
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      slowTestThreshold: 30,
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'] },
  ],
  testTimeout: 60000,
};
