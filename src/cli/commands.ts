import type { CommandSpec, Entry, GroupSpec } from './spec.ts';

/*
 * Every command of `tsx src/cli.ts`, with its help. The implementations are imported only when a
 * command runs, so --help answers at once and without Neo4j, the driver or fastify.
 */

const NEO4J_ENV = {
  PRECEDENT_NEO4J_HOME: 'folder of the local server (default: .neo4j/default)',
  PRECEDENT_NEO4J_BOLT_PORT: 'its Bolt port (default: 7687)',
  PRECEDENT_NEO4J_HTTP_PORT: 'its HTTP port, for Neo4j Browser (default: 7474)',
};
const GRAPH_ENV = {
  NEO4J_URI:
    'an existing Neo4j to use instead of the local one (then also NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE); default: the local server, started if needed',
};
/** DEFAULT_PROJECT of graph/repositories/projects.ts, written out because importing it loads the driver (test/foundation/cli-help.test.ts checks they agree). */
export const DEFAULT_PROJECT = 'default';
const PROJECT = { type: 'string', meta: '<name>', default: DEFAULT_PROJECT } as const;

const serviceAbout =
  'Starts the local Neo4j in the background if it is not running (or uses NEO4J_URI), applies the schema migrations, loads the demo knowledge base into an empty graph, creates the first API key of project "default", serves the HTTP API and prints its URLs and credentials. Ctrl-C stops the service; Neo4j keeps running.';
const serviceEnv = {
  'PORT, HOST': 'where the API listens (default: 8080, 127.0.0.1)',
  ...GRAPH_ENV,
  PRECEDENT_DEMO: '"off": do not load the demo knowledge base into an empty graph (default: on)',
  LOG_LEVEL: 'fastify/pino log level (default: info); every variable: docs/configuration.md',
};
const runStart: CommandSpec['run'] = (config) => import('./run/start.ts').then((m) => m.start(config));

const start: CommandSpec = {
  kind: 'command',
  path: ['start'],
  npm: 'npm start',
  summary: 'start Neo4j if needed, apply the schema, serve the API',
  about: `${serviceAbout} npm start first installs the npm dependencies when they are missing or stale.`,
  env: serviceEnv,
  output: 'the URLs, the API key (first start only) and the Neo4j credentials, once the API listens',
  examples: ['npm start', 'PORT=9090 PRECEDENT_DEMO=off npm start'],
  run: runStart,
};

const serve: CommandSpec = {
  ...start,
  path: ['serve'],
  npm: 'npm run serve',
  summary: 'the same as npm start, without its npm dependency check',
  about: serviceAbout,
  examples: ['npm run serve', 'NEO4J_URI=bolt://db:7687 NEO4J_PASSWORD=… npm run serve'],
};

const neo4j: GroupSpec = {
  kind: 'group',
  path: ['neo4j'],
  npm: 'npm run neo4j:<command>',
  summary: "manage the project's local Neo4j",
  about:
    'The local Neo4j server that npm start runs in the background (data, logs and password in .neo4j/default). These commands refuse to touch a server set with NEO4J_URI.',
  commands: [
    {
      kind: 'command',
      path: ['neo4j', 'start'],
      npm: 'npm run neo4j:start',
      summary: 'start the local Neo4j alone (no API)',
      about:
        'Starts the local Neo4j in the background (fetching it from Maven Central the first time) and waits until it answers; does nothing when it already runs. Prints the Browser URL and the credentials.',
      env: NEO4J_ENV,
      examples: ['npm run neo4j:start'],
      run: (config) => import('./run/neo4j.ts').then((m) => m.neo4jStart(config)),
    },
    {
      kind: 'command',
      path: ['neo4j', 'stop'],
      npm: 'npm run neo4j:stop',
      summary: 'stop the local Neo4j (also: npm run stop)',
      about: 'Stops the local Neo4j that npm start or neo4j:start started. `npm run stop` is the same command.',
      env: NEO4J_ENV,
      examples: ['npm run neo4j:stop', 'npm run stop'],
      run: (config) => import('./run/neo4j.ts').then((m) => m.neo4jStop(config)),
    },
    {
      kind: 'command',
      path: ['neo4j', 'status'],
      npm: 'npm run neo4j:status',
      summary: 'tell whether the local Neo4j runs and answers',
      about: 'Tells whether the local Neo4j is running, whether Bolt and HTTP answer, and where its logs are.',
      env: NEO4J_ENV,
      output: 'one status line',
      exits: ['3 not running, or Bolt not answering yet'],
      examples: ['npm run -s neo4j:status || npm run neo4j:start'],
      run: (config) => import('./run/neo4j.ts').then((m) => m.neo4jStatus(config)),
    },
    {
      kind: 'command',
      path: ['neo4j', 'dump'],
      npm: 'npm run neo4j:dump',
      summary: 'back up the stopped local database to <dir>/neo4j.dump',
      about:
        "Writes the local database to <dir>/neo4j.dump with neo4j-admin: Neo4j's own offline backup of everything, byte-exact. Neo4j must be stopped first.",
      args: [{ name: 'dir', help: 'folder for neo4j.dump (created if missing)', default: 'backups' }],
      env: NEO4J_ENV,
      examples: ['npm run neo4j:stop && npm run neo4j:dump -- backups && npm start'],
      run: (config, input) => import('./run/neo4j.ts').then((m) => m.neo4jDump(config, input)),
    },
    {
      kind: 'command',
      path: ['neo4j', 'load'],
      npm: 'npm run neo4j:load',
      summary: 'replace the stopped local database with <dir>/neo4j.dump',
      about: 'Replaces the local database with <dir>/neo4j.dump (from neo4j:dump). Neo4j must be stopped first; start it again with npm start.',
      args: [{ name: 'dir', help: 'folder holding neo4j.dump', default: 'backups' }],
      env: NEO4J_ENV,
      examples: ['npm run neo4j:stop && npm run neo4j:load -- backups && npm start'],
      run: (config, input) => import('./run/neo4j.ts').then((m) => m.neo4jLoad(config, input)),
    },
  ],
  examples: ['npm run neo4j:status', 'npm run neo4j:dump -- --help'],
};

const migrate: CommandSpec = {
  kind: 'command',
  path: ['migrate'],
  npm: 'npm run migrate',
  summary: 'apply the schema migrations and exit',
  about:
    'Applies the schema migrations (constraints and indexes; versioned, idempotent, recorded in the graph) and exits. npm start does the same before it serves.',
  env: GRAPH_ENV,
  examples: ['npm run migrate', 'NEO4J_URI=neo4j+s://xxxx.databases.neo4j.io NEO4J_PASSWORD=… npm run migrate'],
  run: (config) => import('./run/schema.ts').then((m) => m.migrate(config)),
};

const demo: CommandSpec = {
  kind: 'command',
  path: ['demo'],
  npm: 'npm run demo',
  summary: 'load the demo knowledge base',
  about:
    'Loads the demo knowledge base into project "default": twelve prior svm experiments from the ecml2016-svm benchmark suite and one warm-started experiment, so that provenance exists to explore in Neo4j Browser.',
  options: { force: { type: 'boolean', help: 'load it even when the graph already holds experiments' } },
  env: GRAPH_ENV,
  exits: ['1 nothing loaded (the graph is not empty, or the suite file is missing)'],
  examples: ['npm run demo', 'npm run demo -- --force'],
  run: (config, input) => import('./run/schema.ts').then((m) => m.demo(config, input)),
};

const replay: CommandSpec = {
  kind: 'command',
  path: ['replay'],
  npm: 'npm run replay',
  summary: "recompute an experiment's suggestions and compare them with the recorded ones",
  about:
    "Recomputes every optimizer suggestion of an experiment from its recorded history and compares the configurations, like GET /v1/experiments/{id}/replay. The experiment's project is found from its id.",
  args: [{ name: 'experiment-id', help: 'the experiment to replay', required: true }],
  options: { json: { type: 'boolean', help: 'print the report as JSON (the same as the API returns)' } },
  env: GRAPH_ENV,
  output: 'the report: one line per mismatch and a summary, or JSON with --json',
  exits: ['1 also when any suggestion differs'],
  examples: ['npm run replay -- 6f1c9a7e-2b4d-4c1e-9f3a-0d5b7e8c1a22', 'npm run -s replay -- $EXP --json > replay.json'],
  run: (config, input) => import('./run/replay.ts').then((m) => m.replay(config, input)),
};

const dataset: GroupSpec = {
  kind: 'group',
  path: ['dataset'],
  npm: 'npm run dataset --',
  summary: 'register and list datasets',
  about: "Datasets of a project: profile a CSV on this machine and register it, or list a project's datasets.",
  commands: [
    {
      kind: 'command',
      path: ['dataset', 'add'],
      npm: 'npm run dataset -- add',
      summary: 'profile a local CSV (about 50 meta-features) and register it',
      about:
        'Streams a CSV with a header row through the profiler (meta-features, sha256 fingerprint, size) and registers it as a dataset, like a CSV upload to POST /v1/datasets. The same name, version and data again is not an error: the existing dataset is returned. The project is created if needed.',
      options: {
        csv: { type: 'string', meta: '<path>', help: 'the CSV file', required: true },
        name: { type: 'string', meta: '<name>', help: 'the dataset name', required: true },
        version: { type: 'string', meta: '<label>', help: 'the version label', default: '1' },
        target: { type: 'string', meta: '<column>', help: 'the target column', fallback: 'the last column' },
        'task-type': { type: 'string', meta: '<type>', help: 'the task', default: 'auto', choices: ['auto', 'classification', 'regression'] },
        project: { ...PROJECT, help: 'the project' },
      },
      env: GRAPH_ENV,
      output: 'the dataset id alone; the profile summary and notes go to stderr',
      examples: ['DS=$(npm run -s dataset -- add --csv ./credit.csv --name credit --target default)'],
      run: (config, input) => import('./run/dataset.ts').then((m) => m.datasetAdd(config, input)),
    },
    {
      kind: 'command',
      path: ['dataset', 'list'],
      npm: 'npm run dataset -- list',
      summary: "list a project's datasets",
      about: "Lists a project's datasets, newest first: name, version, id, task type, instances, features and the number of experiments on each.",
      options: {
        project: { ...PROJECT, help: 'the project' },
        json: { type: 'boolean', help: 'print a JSON array of the datasets (meta-features included) instead of a table' },
      },
      env: GRAPH_ENV,
      output: 'a table, or JSON with --json; nothing when the project has no datasets (a note goes to stderr)',
      examples: ['npm run dataset -- list --project team-b', 'npm run -s dataset -- list --json > datasets.json'],
      run: (config, input) => import('./run/dataset.ts').then((m) => m.datasetList(config, input)),
    },
  ],
  examples: ['npm run dataset -- list', 'npm run dataset -- add --help'],
};

const keys: GroupSpec = {
  kind: 'group',
  path: ['keys'],
  npm: 'npm run keys --',
  summary: 'manage API keys',
  about:
    "API keys: every /v1 request needs one, and a key belongs to one project. Neo4j stores only a key's sha256 and its first 8 characters as a hint, so a key is shown once, when it is created.",
  commands: [
    {
      kind: 'command',
      path: ['keys', 'create'],
      npm: 'npm run keys -- create',
      summary: 'create a key for a project and print it once',
      about: 'Creates an API key for a project (creating the project if needed) and prints it once.',
      options: {
        project: { type: 'string', meta: '<name>', help: 'the project the key opens (at most 100 characters)', required: true },
        label: { type: 'string', meta: '<text>', help: 'a note shown by keys list', fallback: 'none' },
      },
      env: GRAPH_ENV,
      output: 'the key alone, on one line; its id goes to stderr',
      examples: ['TEAM_B=$(npm run -s keys -- create --project team-b --label ci)'],
      run: (config, input) => import('./run/keys.ts').then((m) => m.keysCreate(config, input)),
    },
    {
      kind: 'command',
      path: ['keys', 'list'],
      npm: 'npm run keys -- list',
      summary: 'list keys: ids, hints, projects, revocations',
      about: 'Lists API keys by id and hint (never the keys themselves), with their project, creation time, label and revocation.',
      options: { project: { type: 'string', meta: '<name>', help: "only this project's keys", fallback: 'every project' } },
      env: GRAPH_ENV,
      output: 'one line per key',
      examples: ['npm run keys -- list --project team-b'],
      run: (config, input) => import('./run/keys.ts').then((m) => m.keysList(config, input)),
    },
    {
      kind: 'command',
      path: ['keys', 'revoke'],
      npm: 'npm run keys -- revoke',
      summary: 'revoke a key',
      about: 'Revokes an API key. Running services stop accepting it within 10 s (verified keys are cached that long). Revoking twice is harmless.',
      args: [{ name: 'key-id', help: 'the key id from keys list (not the key)', required: true }],
      env: GRAPH_ENV,
      examples: ['npm run keys -- revoke 3b0c…'],
      run: (config, input) => import('./run/keys.ts').then((m) => m.keysRevoke(config, input)),
    },
  ],
  examples: ['KEY=$(npm run -s keys -- create --project team-a)', 'npm run keys -- list'],
};

const exportSpec: CommandSpec = {
  kind: 'command',
  path: ['export'],
  npm: 'npm run export',
  summary: 'write a whole project as JSON Lines (backup)',
  about:
    'Writes a whole project in the format precedent.experiment/1: one line per experiment, oldest first, then datasets no experiment uses. npm run import restores it. Trials carry their provenance and experiments their settings changes; API keys are not carried.',
  options: {
    project: { type: 'string', meta: '<name>', help: 'the project to export', required: true },
    out: { type: 'string', meta: '<file.jsonl>', help: 'write there (mode 0600) instead of stdout', fallback: 'stdout' },
  },
  env: GRAPH_ENV,
  output: 'the JSON Lines, unless --out is given (use npm run -s, or npm adds its own lines)',
  examples: ['npm run -s export -- --project team-b > backup.jsonl', 'npm run export -- --project team-b --out backup.jsonl'],
  run: (config, input) => import('./run/transfer.ts').then((m) => m.exportCmd(config, input)),
};

const importSpec: CommandSpec = {
  kind: 'command',
  path: ['import'],
  npm: 'npm run import',
  summary: 'restore or merge an export into a project',
  about:
    'Reads JSON Lines written by npm run export (or GET /v1/experiments/{id}/export) into a project, creating it if needed. The file is validated completely before anything is written; experiments already there are left as they are.',
  options: {
    project: { type: 'string', meta: '<name>', help: 'the project to import into', required: true },
    in: { type: 'string', meta: '<file.jsonl>', help: 'the export to read', required: true },
  },
  env: GRAPH_ENV,
  output: 'one summary line',
  examples: ['npm run import -- --project restored --in backup.jsonl'],
  run: (config, input) => import('./run/transfer.ts').then((m) => m.importCmd(config, input)),
};

export const ENTRIES: Entry[] = [start, serve, neo4j, migrate, demo, replay, dataset, keys, exportSpec, importSpec];
