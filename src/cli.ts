import { connect, verify, type Graph } from '../graph/driver.ts';
import { migrate } from '../graph/schema/migrate.ts';
import { NotFoundError } from '../graph/errors.ts';
import { SetupError } from '../graph/server/errors.ts';
import { instanceStatus, stopInstance } from '../graph/server/instance.ts';
import { experimentProjectId } from '../graph/repositories/experiments.ts';
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { ensureProject } from '../graph/repositories/projects.ts';
import { buildApp } from './app.ts';
import { ProfileError } from './metafeatures/index.ts';
import { DEFAULT_PROJECT } from './projects.ts';
import { registerCsvDataset } from './services/datasets.ts';
import { demoEnabled, loadDemo } from './demo.ts';
import { replayExperiment } from './services/replay.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { resolveConnection } from './local-neo4j.ts';

const log = (line: string) => console.log(`[precedent] ${line}`);

const USAGE = `usage: precedent <command>
  start                 start Neo4j if needed, migrate, serve the API (npm start)
  neo4j start|stop|status   manage the project's local Neo4j server
  migrate               apply schema migrations and exit
  demo [--force]        load the demo knowledge base (only into an empty graph unless --force)
  replay <experiment-id>    recompute an experiment's suggestions from its recorded history
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
  const app = await buildApp({ graph, logger: { level: config.logLevel }, suggestions: { staleAfterSeconds: config.staleAfterSeconds } });
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
  if (local) {
    lines.push(
      `  Neo4j Browser   ${local.browserUrl}`,
      `     connect URL  ${local.boltUri}   user ${local.user}   password ${local.password}`,
      `     (stored in ${local.home}/instance.json, readable only by you)`,
      `  Neo4j ${info.version} ${info.edition}; data ${local.home}/data; logs ${local.home}/logs`,
    );
  } else {
    const ext = config.neo4j as Extract<Config['neo4j'], { mode: 'external' }>;
    lines.push(`  Neo4j           ${ext.uri} (database ${ext.database}, Neo4j ${info.version} ${info.edition})`);
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

async function cmdDataset(config: Config, args: string[]): Promise<void> {
  const usage = 'npm run dataset -- add --csv <path> --name <name> [--version 1] [--target <column>] [--task-type auto|classification|regression] [--project default]';
  if (args[0] !== 'add') throw new SetupError(`unknown dataset command ${JSON.stringify(args[0] ?? '')}`, usage);
  let values;
  try {
    ({ values } = parseArgs({
      args: args.slice(1),
      options: {
        csv: { type: 'string' },
        name: { type: 'string' },
        version: { type: 'string', default: '1' },
        target: { type: 'string' },
        'task-type': { type: 'string', default: 'auto' },
        project: { type: 'string', default: DEFAULT_PROJECT },
      },
    }));
  } catch (err) {
    throw new SetupError((err as Error).message, usage);
  }
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
