import { migrate } from '../../../graph/schema/migrate.ts';
import { SetupError } from '../../../graph/server/errors.ts';
import { DEFAULT_PROJECT } from '../../../graph/repositories/projects.ts';
import { ensureDefaultKey, keyFilePath } from '../../api-key-file.ts';
import { buildApp } from '../../app.ts';
import type { Config } from '../../config.ts';
import { demoEnabled, loadDemo } from '../../demo.ts';
import { type MetricsServer, startMetricsServer } from '../../metrics.ts';
import { Readiness } from '../../services/readiness.ts';
import { openGraph } from '../graph.ts';
import { log } from '../io.ts';

export async function start(config: Config): Promise<void> {
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
  // Neo4j plans each hot statement the first time it sees it (seconds on a fresh server). The service
  // listens at once and warms them meanwhile; /health says ready once they are (see services/readiness.ts).
  const readiness = new Readiness(graph);
  const warmStarted = Date.now();
  readiness.warm().then(
    () => log(`query plans warm in ${((Date.now() - warmStarted) / 1000).toFixed(1)} s; /health reports ready`),
    (err: unknown) => log(`warning: warming the query plans failed (${(err as Error).message}); /health reports ready after the next reconnect`),
  );
  const app = await buildApp({
    readiness,
    graph,
    logger: { level: config.logLevel },
    suggestions: {
      staleAfterSeconds: config.staleAfterSeconds,
      requestDeadlineMs: config.requestDeadlineSeconds * 1000,
      optimizerThreads: config.optimizerThreads,
    },
    rateLimitPerMinute: config.rateLimitPerMinute,
    spaceLimits: config.spaceLimits,
    publicUrl: config.publicUrl,
    ui: { neo4jBrowserUrl: local?.browserUrl },
  });
  let metrics: MetricsServer | undefined;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    await app.close();
    await metrics?.close();
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
      throw new SetupError(
        `Port ${config.http.port} is already in use, so the API cannot listen there.`,
        'Set PORT=<another port>, or stop the other program.',
      );
    }
    throw err;
  }
  // /metrics has a listener of its own, on loopback unless PRECEDENT_METRICS_HOST says otherwise; the
  // API serves without it (a second process on this machine finds the port taken, say).
  if (config.metrics.port > 0) {
    try {
      metrics = await startMetricsServer(config.metrics);
    } catch (err) {
      log(
        `warning: no /metrics: cannot listen on ${config.metrics.host}:${config.metrics.port} (${(err as Error).message}); set PRECEDENT_METRICS_PORT to a free port, or 0 to turn it off`,
      );
    }
  }
  const lines = [
    '',
    `precedent is up (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    `  API             ${serviceUrl}/v1`,
    `  API docs        ${serviceUrl}/docs   (OpenAPI: ${serviceUrl}/openapi.json)`,
    `  Health          ${serviceUrl}/health`,
    `  Dashboard       ${serviceUrl}/ui/   (log in with the API key)`,
  ];
  if (metrics) lines.push(`  Metrics         ${metrics.url}   (Prometheus${config.metrics.host === '127.0.0.1' ? '; this machine only' : ''})`);
  if (apiKey.status === 'created') {
    lines.push(
      `  API key         ${apiKey.secret}`,
      `     project "${DEFAULT_PROJECT}"; shown this once, stored in ${apiKey.path} (readable only by you)`,
      `     curl -H "Authorization: Bearer $(cat ${apiKey.path})" ${serviceUrl}/v1/experiments`,
    );
  } else if (apiKey.status === 'stored') {
    lines.push(`  API key         project "${DEFAULT_PROJECT}": in ${apiKey.path}   (Authorization: Bearer $(cat ${apiKey.path}))`);
  } else {
    lines.push(
      `  API key         project "${DEFAULT_PROJECT}" has keys, none stored in ${apiKey.path}; make one with \`npm run keys -- create --project ${DEFAULT_PROJECT}\``,
    );
  }
  if (local) {
    lines.push(
      `  Neo4j Browser   ${local.browserUrl}`,
      local.passwordSetNow
        ? `     connect URL  ${local.boltUri}   user ${local.user}   password ${local.password}`
        : `     connect URL  ${local.boltUri}   user ${local.user}   password: see ${local.home}/instance.json`,
      `     ${local.passwordSetNow ? 'shown this once; ' : ''}stored in ${local.home}/instance.json (readable only by you)`,
      `  Neo4j ${info.version} ${info.edition}; data ${local.home}/data; logs ${local.home}/logs`,
    );
  } else {
    lines.push(`  Neo4j           ${ext?.uri} (database ${ext?.database}, Neo4j ${info.version} ${info.edition})`);
  }
  lines.push('  Stop: Ctrl-C stops the service; `npm run neo4j:stop` stops Neo4j.', '');
  // The banner is what the person who ran `npm start` came for, so it is the one thing on stdout.
  console.log(lines.join('\n'));
}
