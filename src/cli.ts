import { connect, verify, type Graph } from '../graph/driver.ts';
import { migrate } from '../graph/schema/migrate.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../graph/errors.ts';
import { SetupError } from '../graph/server/errors.ts';
import { adminDatabase, instanceStatus, stopInstance } from '../graph/server/instance.ts';
import { experimentProjectId } from '../graph/repositories/experiments.ts';
import { createReadStream, createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ensureProject, getProjectByName } from '../graph/repositories/projects.ts';
import { createKey, listKeys, revokeKey } from '../graph/repositories/keys.ts';
import { buildApp } from './app.ts';
import { ProfileError } from './metafeatures/index.ts';
import { DEFAULT_PROJECT } from '../graph/repositories/projects.ts';
import { registerCsvDataset } from './services/datasets.ts';
import { demoEnabled, loadDemo } from './demo.ts';
import { replayExperiment } from './services/replay.ts';
import { exportProject, importLines, parseImport } from './services/transfer.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { resolveConnection } from './local-neo4j.ts';
import { ensureDefaultKey, keyFilePath } from './api-key-file.ts';

const log = (line: string) => console.log(`[precedent] ${line}`);

const USAGE = `usage: precedent <command>
  start                 start Neo4j if needed, migrate, serve the API (npm start)
  neo4j start|stop|status   manage the project's local Neo4j server
  neo4j dump|load [dir]     Neo4j's offline backup of the local server (stopped) to/from dir/neo4j.dump
  migrate               apply schema migrations and exit
  demo [--force]        load the demo knowledge base (only into an empty graph unless --force)
  replay <experiment-id>    recompute an experiment's suggestions from its recorded history
  export --project <name> [--out f]   whole project as JSON Lines (backup)
  import --project <name> --in <f>   restore / merge an export into a project
  keys create --project <name> | list | revoke <id>   manage API keys
  dataset add --csv <path> --name <name> [--target <column>]   profile a local CSV and register it`;

async function openGraph(config: Config, serviceUrl?: string): Promise<{ graph: Graph; info: Awaited<ReturnType<typeof verify>>; local?: Awaited<ReturnType<typeof resolveConnection>>['local'] }> {
  const { connection, local } = await resolveConnection(config, log, serviceUrl);
  const graph = connect(connection);
  try {
    const info = await verify(graph, connection);
    return { graph, info, local };
  } catch (err) {
    await graph.close();
    throw err;
  }
}

async function cmdStart(config: Config): Promise<void> {
  const t0 = Date.now();
  const withDemo = demoEnabled();
  const serviceUrl = `http://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${config.http.port}`;
  const { graph, info, local } = await openGraph(config, serviceUrl);
  const report = await migrate(graph);
  log(`schema at v${report.current} (${report.applied.length} migration(s) applied now)`);
  if (report.drifted.length) log(`warning: applied migrations ${report.drifted.join(', ')} differ from the code`);
  // A fresh graph gets the demo knowledge base, so there is something to explore at once; a failure
  // here must not keep the service from starting.
  if (withDemo) {
    try {
      const demo = await loadDemo(graph, { log });
      if (demo.status === 'skipped' && demo.reason === 'no-suite') log(demo.message);
    } catch (err) {
      log(`warning: the demo knowledge base could not be loaded (${(err as Error).message}); starting without it`);
    }
  }
  const ext = config.neo4j.mode === 'external' ? config.neo4j : undefined;
  const apiKey = await ensureDefaultKey(
    graph,
    keyFilePath({ localHome: local?.home, uri: ext?.uri ?? local?.boltUri ?? '', database: ext?.database ?? config.neo4j.database }),
  );
  const app = await buildApp({
    graph,
    logger: { level: config.logLevel },
    suggestions: { staleAfterSeconds: config.staleAfterSeconds },
    rateLimitPerMinute: config.rateLimitPerMinute,
  });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    await app.close();
    await graph.close();
    log(local ? 'service stopped; Neo4j keeps running (`npm run neo4j:stop` stops it)' : 'service stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    await app.listen({ host: config.http.host, port: config.http.port });
  } catch (err) {
    await graph.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new SetupError(`Port ${config.http.port} is already in use, so the API cannot listen there.`, 'Set PORT=<another port>, or stop the other program.');
    }
    throw err;
  }
  const lines = [
    '',
    `precedent is up (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    `  API             ${serviceUrl}/v1`,
    `  API docs        ${serviceUrl}/docs   (OpenAPI: ${serviceUrl}/openapi.json)`,
    `  Health          ${serviceUrl}/health`,
  ];
  if (apiKey.status === 'created') {
    lines.push(
      `  API key         ${apiKey.secret}`,
      `     project "${DEFAULT_PROJECT}"; shown this once, stored in ${apiKey.path} (readable only by you)`,
      `     curl -H "Authorization: Bearer $(cat ${apiKey.path})" ${serviceUrl}/v1/experiments`,
    );
  } else if (apiKey.status === 'stored') {
    lines.push(`  API key         project "${DEFAULT_PROJECT}": in ${apiKey.path}   (Authorization: Bearer $(cat ${apiKey.path}))`);
  } else {
    lines.push(`  API key         project "${DEFAULT_PROJECT}" has keys, none stored in ${apiKey.path}; make one with \`npm run keys -- create --project ${DEFAULT_PROJECT}\``);
  }
  if (local) {
    lines.push(
      `  Neo4j Browser   ${local.browserUrl}`,
      `     connect URL  ${local.boltUri}   user ${local.user}   password ${local.password}`,
      `     (stored in ${local.home}/instance.json, readable only by you)`,
      `  Neo4j ${info.version} ${info.edition}; data ${local.home}/data; logs ${local.home}/logs`,
    );
  } else {
    lines.push(`  Neo4j           ${ext?.uri} (database ${ext?.database}, Neo4j ${info.version} ${info.edition})`);
  }
  lines.push('  Stop: Ctrl-C stops the service; `npm run neo4j:stop` stops Neo4j.', '');
  console.log(lines.join('\n'));
}

async function cmdNeo4j(config: Config, sub: string | undefined): Promise<void> {
  const n = config.neo4j;
  if (n.mode === 'external') {
    throw new SetupError(`NEO4J_URI is set (${n.uri}): precedent does not manage that server.`, 'Unset NEO4J_URI to use the project\'s own local Neo4j.');
  }
  if (sub === 'start') {
    const { graph, info, local } = await openGraph(config);
    await graph.close();
    log(`Neo4j ${info.version} ${info.edition} answers at ${local?.boltUri}; Browser ${local?.browserUrl}; user ${local?.user} password ${local?.password}`);
  } else if (sub === 'stop') {
    const r = await stopInstance(n.home);
    log(r.stopped ? `Neo4j stopped (pid ${r.pid})` : 'Neo4j was not running');
  } else if (sub === 'dump' || sub === 'load') {
    const dir = process.argv[4] ?? 'backups';
    const file = adminDatabase(n.home, sub, dir);
    log(sub === 'dump' ? `dumped the local database to ${file}` : `loaded ${file} into the local database (start it with npm start)`);
  } else if (sub === 'status') {
    const s = await instanceStatus(n.home);
    if (s.running) log(`running (pid ${s.pid}); Bolt ${s.boltAnswers ? 'answers' : 'not answering yet'} on ${s.state?.boltPort}; HTTP ${s.httpAnswers ? 'answers' : 'not answering yet'} on ${s.state?.httpPort}; logs ${s.logs}`);
    else log(`not running (home ${n.home}); logs ${s.logs}`);
    process.exitCode = s.running && s.boltAnswers ? 0 : 3;
  } else {
    throw new SetupError(`unknown neo4j command ${JSON.stringify(sub ?? '')}`, USAGE);
  }
}

async function cmdMigrate(config: Config): Promise<void> {
  const { graph } = await openGraph(config);
  try {
    const r = await migrate(graph);
    log(`schema at v${r.current}; applied now: ${r.applied.join(', ') || 'none'}`);
  } finally {
    await graph.close();
  }
}

async function cmdDemo(config: Config, args: string[]): Promise<void> {
  const unknown = args.filter((a) => a !== '--force');
  if (unknown.length) throw new SetupError(`unknown demo option ${JSON.stringify(unknown[0])}`, 'npm run demo [-- --force]');
  const { graph } = await openGraph(config);
  try {
    await migrate(graph);
    const r = await loadDemo(graph, { force: args.includes('--force'), log });
    if (r.status === 'skipped') {
      log(r.message);
      process.exitCode = 1;
    }
  } finally {
    await graph.close();
  }
}

/** parseArgs with the command's usage in the message when the options are wrong. */
function cliOptions<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new SetupError((err as Error).message, usage);
  }
}

async function cmdDataset(config: Config, args: string[]): Promise<void> {
  const usage = 'npm run dataset -- add --csv <path> --name <name> [--version 1] [--target <column>] [--task-type auto|classification|regression] [--project default]';
  if (args[0] !== 'add') throw new SetupError(`unknown dataset command ${JSON.stringify(args[0] ?? '')}`, usage);
  const { values } = cliOptions(
    {
      args: args.slice(1),
      options: {
        csv: { type: 'string' },
        name: { type: 'string' },
        version: { type: 'string', default: '1' },
        target: { type: 'string' },
        'task-type': { type: 'string', default: 'auto' },
        project: { type: 'string', default: DEFAULT_PROJECT },
      },
    },
    usage,
  );
  const taskType = values['task-type'];
  if (!values.csv || !values.name) throw new SetupError('dataset add needs --csv and --name', usage);
  if (taskType !== 'auto' && taskType !== 'classification' && taskType !== 'regression') throw new SetupError(`--task-type must be auto, classification or regression (got ${JSON.stringify(taskType)})`, usage);
  const { graph } = await openGraph(config);
  try {
    await migrate(graph);
    const project = await ensureProject(graph, values.project);
    const r = await registerCsvDataset(graph, project.id, createReadStream(values.csv, { highWaterMark: 1 << 20 }), {
      name: values.name,
      version: values.version,
      profile: { target: values.target, taskType },
    });
    log(`${r.created ? 'registered' : 'already registered'} dataset ${r.dataset.name} v${r.dataset.version} (${r.dataset.id}) in project ${values.project}`);
    log(`${r.profile.rows} rows, ${Object.keys(r.dataset.metaFeatures).length} meta-features, fingerprint ${r.dataset.fingerprint}`);
    for (const note of r.profile.notes) log(`  note: ${note}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new SetupError(`no such file: ${values.csv}`, usage);
    if (err instanceof ProfileError) throw new SetupError(`cannot profile ${values.csv}: ${err.message}`, usage);
    throw err;
  } finally {
    await graph.close();
  }
}

async function cmdReplay(config: Config, experimentId: string | undefined): Promise<void> {
  if (!experimentId) throw new SetupError('replay needs an experiment id', 'npm run replay -- <experiment-id>');
  const { graph } = await openGraph(config);
  try {
    const projectId = await experimentProjectId(graph, experimentId);
    const r = await replayExperiment(graph, projectId, experimentId);
    log(`replayed ${r.checked} optimizer suggestion(s) of ${experimentId} in ${r.seconds.toFixed(1)} s with ${r.optimizerVersion} (recorded with ${r.recordedVersions.join(', ') || 'none'})`);
    if (r.skipped) log(`${r.skipped} suggestion(s) have no recorded snapshot and were skipped`);
    for (const m of r.mismatches) log(`  trial #${m.trialNumber}: recorded ${JSON.stringify(m.recorded)}, replayed ${JSON.stringify(m.replayed)}`);
    log(r.mismatches.length === 0 ? `all ${r.matched} match` : `${r.mismatches.length} of ${r.checked} differ`);
    process.exitCode = r.mismatches.length === 0 ? 0 : 1;
  } finally {
    await graph.close();
  }
}

async function cmdKeys(config: Config, args: string[]): Promise<void> {
  const usage = 'npm run keys -- create --project <name> [--label <text>] | list [--project <name>] | revoke <key-id>';
  const [sub, ...rest] = args;
  const { values, positionals } = cliOptions({ args: rest, allowPositionals: true, options: { project: { type: 'string' }, label: { type: 'string' } } }, usage);
  if (sub === 'create') {
    const project = values.project?.trim();
    if (!project) throw new SetupError('keys create needs --project <name>', usage);
    if (project.length > 100) throw new SetupError('--project must be at most 100 characters', usage);
    const { graph } = await openGraph(config);
    try {
      await migrate(graph);
      const { secret, key } = await createKey(graph, project, values.label);
      // The secret goes to stdout alone so `KEY=$(npm run -s keys -- create …)` works; the rest to stderr.
      console.error(`[precedent] key ${key.id} for project "${key.project}" (shown once; only its hash is stored):`);
      console.log(secret);
    } finally {
      await graph.close();
    }
  } else if (sub === 'list') {
    const { graph } = await openGraph(config);
    try {
      const keys = await listKeys(graph, values.project);
      if (!keys.length) log('no keys');
      for (const k of keys) log(`${k.id}  ${k.hint}…  project ${k.project}  created ${k.createdAt}${k.revokedAt ? `  REVOKED ${k.revokedAt}` : ''}${k.label ? `  (${k.label})` : ''}`);
    } finally {
      await graph.close();
    }
  } else if (sub === 'revoke') {
    if (!positionals[0]) throw new SetupError('keys revoke needs a key id (see `npm run keys -- list`)', usage);
    const { graph } = await openGraph(config);
    try {
      const k = await revokeKey(graph, positionals[0]);
      log(`revoked key ${k.id} of project ${k.project} (running services stop accepting it within 10 s)`);
    } finally {
      await graph.close();
    }
  } else {
    throw new SetupError(`unknown keys command ${JSON.stringify(sub ?? '')}`, usage);
  }
}

async function cmdExport(config: Config, args: string[]): Promise<void> {
  const usage = 'npm run -s export -- --project <name> [--out <file.jsonl>]   (stdout without --out)';
  const { values } = cliOptions({ args, options: { project: { type: 'string' }, out: { type: 'string' } } }, usage);
  if (!values.project) throw new SetupError('export needs --project <name>', usage);
  const { graph } = await openGraph(config);
  try {
    const project = await getProjectByName(graph, values.project);
    const out = values.out ? createWriteStream(values.out, { mode: 0o600 }) : process.stdout;
    let lines = 0;
    for await (const line of exportProject(graph, project.id)) {
      if (!out.write(`${line}\n`)) await once(out, 'drain');
      lines++;
    }
    if (values.out) await new Promise<void>((res, rej) => (out as WriteStream).end((err?: Error | null) => (err ? rej(err) : res())));
    console.error(`[precedent] exported project ${values.project}: ${lines} line(s)${values.out ? ` to ${values.out}` : ''}`);
  } finally {
    await graph.close();
  }
}

async function cmdImport(config: Config, args: string[]): Promise<void> {
  const usage = 'npm run import -- --project <name> --in <file.jsonl>';
  const { values } = cliOptions({ args, options: { project: { type: 'string' }, in: { type: 'string' } } }, usage);
  if (!values.project || !values.in) throw new SetupError('import needs --project <name> and --in <file>', usage);
  let text: string;
  try {
    text = readFileSync(values.in, 'utf8');
  } catch (err) {
    throw new SetupError(`cannot read ${values.in}: ${(err as Error).message}`, usage);
  }
  const { graph } = await openGraph(config);
  try {
    await migrate(graph);
    // Validate before the project is created, so a broken file leaves no trace.
    const lines = parseImport(text);
    const project = await ensureProject(graph, values.project);
    const r = await importLines(graph, project.id, lines);
    const created = r.experiments.filter((e) => e.status === 'created').length;
    log(`imported into project ${values.project}: ${created} experiment(s) created, ${r.experiments.length - created} already there, ${r.trials} trial(s), ${r.datasets.length} dataset-only line(s), in ${r.seconds.toFixed(1)} s`);
  } catch (err) {
    if (err instanceof InvalidInputError) throw new SetupError(`${values.in} is not a valid export: ${err.message}`, 'Nothing was imported. Fix the line named above, or re-export.');
    if (err instanceof ConflictError) throw new SetupError(`${values.in}: ${err.message}`, 'Nothing was imported.');
    throw err;
  } finally {
    await graph.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [cmd, sub] = argv;
  const config = loadConfig();
  switch (cmd) {
    case 'start':
    case 'serve':
      return cmdStart(config);
    case 'neo4j':
      return cmdNeo4j(config, sub);
    case 'migrate':
      return cmdMigrate(config);
    case 'replay':
      return cmdReplay(config, sub);
    case 'demo':
      return cmdDemo(config, argv.slice(1));
    case 'dataset':
      return cmdDataset(config, argv.slice(1));
    case 'keys':
      return cmdKeys(config, argv.slice(1));
    case 'export':
      return cmdExport(config, argv.slice(1));
    case 'import':
      return cmdImport(config, argv.slice(1));
    default:
      throw new SetupError(`unknown command ${JSON.stringify(cmd ?? '')}`, USAGE);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof SetupError) {
    console.error(`\nprecedent: ${err.message}\n  → ${err.hint}\n`);
  } else if (err instanceof NotFoundError) {
    console.error(`\nprecedent: ${err.message}\n`);
  } else if (err instanceof ConfigError) {
    console.error(`\nprecedent: ${err.message}\n  → Fix the environment variables above (see README, "Configuration").\n`);
  } else {
    console.error(err);
  }
  process.exit(1);
});
