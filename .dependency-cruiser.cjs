/**
 * The borders between the layers, checked by `npm run lint` (lint:layers); tests/unit/layers.test.ts shows that a
 * crossing fails it.
 *
 * Layers, bottom to top: platform/ (configuration, database, logging, problem details, the personal-data cipher,
 * the engine client) → domain/ (the case's rules: calendar, notices, ratings, key persons, public text, models) →
 * api/ (routes) and workers/ (job handlers), which do not import each other → server/ (the composition root: start,
 * stop, mount), which nothing imports. The engine stands apart: it imports nothing of the app, and only server/
 * imports its code (the app reaches it through its REST API). The pages (web/) and the web modeler (web-modeler/, which
 * shares the pages' client library) are browser code. No import cycle
 * anywhere (a cycle of type imports only costs nothing at run time and is allowed).
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: the modules on it cannot be understood, tested or moved one at a time.',
      from: {},
      // A cycle of type imports only (a part naming the type of the whole it belongs to) costs nothing at run time.
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'engine-stands-apart',
      severity: 'error',
      comment: 'engine/ is a Camunda-compatible engine of its own: it imports nothing of the app.',
      from: { path: '^engine/' },
      to: { path: '^(api|workers|server|web|web-modeler|bpmn|migrations|scripts|platform|domain)/' },
    },
    {
      name: 'only-server-imports-the-engine',
      severity: 'error',
      comment:
        'The app reaches the engine through its REST API (the SDK), never its code; only the composition root mounts it.',
      from: { path: '^(api|workers|web|web-modeler|platform|domain|bpmn)/' },
      to: { path: '^engine/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'nothing-imports-server',
      severity: 'error',
      comment: 'server/ is the composition root (start, stop, mount): what others need belongs in a lower layer.',
      from: { path: '^(api|workers|web|web-modeler|engine|platform|domain|bpmn|migrations)/' },
      to: { path: '^server/' },
    },
    {
      name: 'api-and-workers-apart',
      severity: 'error',
      comment: 'Routes and job workers are thin handlers over the domain; what both need is domain code.',
      from: { path: '^(api|workers)/' },
      to: { path: '^(api|workers)/', pathNot: '^$1/' },
    },
    {
      name: 'pages-are-browser-code',
      severity: 'error',
      comment: 'web/ and web-modeler/ are built for the browser: they may not import server-side code.',
      from: { path: '^(web|web-modeler)/' },
      to: { path: '^(api|workers|server|engine|platform|domain|migrations)/' },
    },
    {
      name: 'pages-do-not-import-the-modeler',
      severity: 'error',
      comment: "web-modeler/ is a page of its own on top of the pages' library; the other pages do not load it.",
      from: { path: '^web/' },
      to: { path: '^web-modeler/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // (tests/fixtures/layers/ crosses every border on purpose: tests/unit/layers.test.ts checks it on its own)
    exclude: { path: '(^|/)(node_modules|dist|coverage)/|^tests/fixtures/layers/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
