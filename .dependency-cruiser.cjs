// @ts-check
/**
 * The import graph of replica-fleet, enforced by `npm run lint` (dependency-cruiser resolves every
 * import, type-only ones included, so a rule cannot be dodged by a path spelling). The README's
 * "Layout" section draws the same graph.
 */
const ours = '^src/';

/** `from` may import, of our modules, only those matching `allowed` (a regex over paths). */
function onlyImports(name, from, allowed, comment) {
  return { name, comment, severity: 'error', from: { path: from }, to: { path: ours, pathNot: allowed } };
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    onlyImports(
      'contracts-import-nothing-of-ours',
      '^src/contracts/',
      '^src/contracts/',
      'The shared vocabulary is the bottom layer: every other layer may import it, it imports none.',
    ),
    onlyImports(
      'replicas-client-imports-nothing-of-ours',
      '^src/replicas/',
      '^src/replicas/',
      'The Replicas client speaks for the API alone; our vocabulary is translated in the activities.',
    ),
    onlyImports(
      'code-host-imports-contracts-config-and-redaction',
      '^src/code-host/',
      '^src/(code-host|contracts|config|observability/redaction)',
      'The code-host adapters speak for GitHub (later GitLab) alone: the port and its vocabulary, their configuration, and redaction.',
    ),
    onlyImports(
      'activities-import-contracts-and-client',
      '^src/activities/',
      '^src/(activities|contracts|replicas|code-host|policy)/',
      'Activities see the contracts, the policy rules they share with workflows, and the API clients (Replicas, the code host); anything else is injected (e.g. webhook targets, the configured code host).',
    ),
    onlyImports(
      'simulator-imports-contracts-and-client',
      '^src/simulator/',
      '^src/(simulator|contracts|replicas)/',
      "The simulator stands in for the API: it may share the client's schemas, never our ingress or workflows.",
    ),
    onlyImports(
      'policy-imports-contracts',
      '^src/policy/',
      '^src/(policy|contracts)/',
      'Policy is plain code over the vocabulary: no Temporal, no I/O, so its rules run in milliseconds under tests.',
    ),
    onlyImports(
      'config-imports-contracts',
      '^src/config/',
      '^src/(config|contracts)/',
      'Environment configuration depends on nothing but the defaults in contracts.',
    ),
    {
      name: 'workflows-import-contracts-and-activity-types',
      comment:
        'Workflow code is bundled and replayed: contracts and workflow modules only, activities as types.',
      severity: 'error',
      from: { path: '^src/workflows/' },
      to: { path: ours, pathNot: '^src/(workflows|contracts|policy)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workflows-type-import-activities-only',
      comment: 'Of the other layers, workflows may name only activity types.',
      severity: 'error',
      from: { path: '^src/workflows/' },
      to: { path: ours, pathNot: '^src/(workflows|contracts|policy|activities)/' },
    },
    {
      name: 'workflows-no-node-or-io',
      comment: 'No Node built-ins, HTTP clients or validation libraries in the workflow bundle.',
      severity: 'error',
      from: { path: '^src/(workflows|policy)/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'workflows-no-io-packages',
      severity: 'error',
      from: { path: '^src/(workflows|policy)/' },
      // Octokit too: policy and workflows know pull requests through the code-host port's vocabulary only.
      to: { path: 'node_modules/(undici|zod|yaml|picomatch|@octokit)/' },
    },
    {
      name: 'policy-has-no-temporal',
      comment: 'Policy is what the workflows decide, without the Temporal parts.',
      severity: 'error',
      from: { path: '^src/policy/' },
      to: { path: 'node_modules/@temporalio/' },
    },
    {
      name: 'client-side-loads-workflow-messages-only',
      comment:
        'Outside the bundle, workflow code is imported for its message definitions and as types only: a start names its workflow by a typed string.',
      severity: 'error',
      from: { path: ours, pathNot: '^src/(workflows|build|contracts)/' },
      to: {
        path: '^src/workflows/',
        pathNot: '/(messages|job-report)\\.ts$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'simulator-internals-stay-inside',
      comment: 'Everything outside the simulator uses its public entry, src/simulator/index.ts.',
      severity: 'error',
      from: { path: ours, pathNot: '^src/simulator/' },
      to: { path: '^src/simulator/', pathNot: '^src/simulator/index\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: ours },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        "@octokit/webhooks is an ES module only, which the resolver's CommonJS view cannot see (tests load it with import()); @octokit/webhooks-types has types and no code.",
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '^@octokit/webhooks(-types)?$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // ESM-only packages (Octokit) export under `import`/`default` alone, with no `main` to fall back on.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    exclude: { path: '^(dist|\\.tools)/' },
  },
};
