// `npm run bench -- quality …`: parse the options, assemble the methods, run, write the outputs.
// Progress goes to stderr, the summary table to stdout.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveSettings } from '../../optimizers/index.ts';
import { readSuite } from '../../src/suites.ts';
import type { Method } from './method.ts';
import { findOptunaPython, OPTUNA_INSTALL_HINT, optunaMethods } from './optuna.ts';
import { optunaPrecedentMethod } from './optuna-precedent.ts';
import { gpMethod, randomMethod, transferColdDesignMethod, transferExploreMethod, transferGivenMethod, transferMethod, warmInitMethod } from './ours.ts';
import { writeOutputs } from './output.ts';
import { summaryTable } from './report.ts';
import { selectTasks } from './run.ts';
import { finishRecorded, metaFeatureWarnings, runRecorded } from './runner.ts';
import { parsePriorExperiments } from '../tabular/priors.ts';
import { serviceMethods, startQualityService } from './service.ts';

/** The default `--methods`. */
export const ALL_METHODS = ['random', 'gp', 'warm-init', 'transfer', 'optuna-tpe', 'optuna-tpe-warm'];
/**
 * Also known, run only when named: PrecedentSampler in Optuna's loop, through a service (Optuna and the
 * Python client); transfer with the warm design that explores (settings.warmSpacing, off by default);
 * transfer whose design follows the priors throughout; transfer after gp's cold design.
 */
export const EXTRA_METHODS = ['optuna-precedent', 'transfer-explore', 'transfer-given', 'transfer-cold-design'];
const KNOWN_METHODS = [...ALL_METHODS, ...EXTRA_METHODS];

export const QUALITY_USAGE = `npm run bench -- quality --suite <path> [--methods ${KNOWN_METHODS.join(',')}] [--budget 50] [--seeds 5]
    [--prior-trials 100] [--prior-experiments all|<K>] [--tasks <count>|<id,id,…>] [--shuffle-priors] [--via-service] [--out <dir>]
    [--resume] [--stop-after <runs>]`;

export function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer (got '${v}')`);
  return n;
}

export async function qualityCommand(argv: string[], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      suite: { type: 'string' },
      methods: { type: 'string', default: ALL_METHODS.join(',') },
      budget: { type: 'string', default: '50' },
      seeds: { type: 'string', default: '5' },
      'prior-trials': { type: 'string', default: '100' },
      tasks: { type: 'string' },
      'via-service': { type: 'boolean', default: false },
      'shuffle-priors': { type: 'boolean', default: false },
      'prior-experiments': { type: 'string', default: 'all' },
      resume: { type: 'boolean', default: false },
      'stop-after': { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (!values.suite) throw new Error(`--suite is required\n${QUALITY_USAGE}`);
  const suite = readSuite(resolve(values.suite));
  const budget = positiveInt('budget', values.budget);
  const seeds = Array.from({ length: positiveInt('seeds', values.seeds) }, (_, i) => i + 1);
  const priorTrials = positiveInt('prior-trials', values['prior-trials']);
  const tasks = selectTasks(suite, values.tasks);
  const priorExperiments = parsePriorExperiments(values['prior-experiments']);
  const stopAfter = values['stop-after'] === undefined ? undefined : positiveInt('stop-after', values['stop-after']);
  const out = resolve(values.out ?? `bench/out/quality-${suite.name}`);
  const wanted = values.methods
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  const unknown = wanted.filter((m) => !KNOWN_METHODS.includes(m));
  if (unknown.length) throw new Error(`unknown method(s) ${unknown.join(', ')}; known: ${KNOWN_METHODS.join(', ')}`);

  const skipped: { method: string; reason: string }[] = [];
  const ours: Record<string, Method> = {
    random: randomMethod,
    gp: gpMethod,
    'warm-init': warmInitMethod,
    transfer: transferMethod,
    'transfer-explore': transferExploreMethod,
    'transfer-given': transferGivenMethod,
    'transfer-cold-design': transferColdDesignMethod,
  };
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const c of closers.reverse()) await c();
  };
  const optunaWanted = wanted.filter((m) => m.startsWith('optuna'));
  const python = optunaWanted.length ? findOptunaPython() : null;
  if (optunaWanted.length && !python) {
    const reason = `no python3 can import optuna; install it with: ${OPTUNA_INSTALL_HINT}`;
    log(`skipping ${optunaWanted.join(', ')}: ${reason}`);
    for (const m of optunaWanted) skipped.push({ method: m, reason });
  }
  const optuna: Record<string, Method> = {};
  try {
    // One service (and one throw-away Neo4j) for every method that goes through it.
    const serviceWanted =
      (values['via-service'] && wanted.some((m) => ['gp', 'warm-init', 'transfer'].includes(m))) || (python && wanted.includes('optuna-precedent'));
    const service = serviceWanted ? await startQualityService(suite, log) : null;
    if (service) closers.push(service.close);
    if (service && values['via-service']) Object.assign(ours, serviceMethods(suite, service));
    if (python && optunaWanted.some((m) => m.startsWith('optuna-tpe'))) {
      // The warm variant enqueues as many prior bests as our warm design has initial trials, for a like-for-like start.
      const o = optunaMethods(python, resolveSettings(undefined, suite.searchSpace.length).nInitial);
      Object.assign(optuna, { 'optuna-tpe': o.tpe, 'optuna-tpe-warm': o.tpeWarm });
      closers.push(o.close);
    }
    if (python && service && wanted.includes('optuna-precedent')) {
      const o = await optunaPrecedentMethod(python, suite, service, log);
      optuna['optuna-precedent'] = o.method;
      closers.push(o.close);
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  const methods = wanted.map((m) => ours[m] ?? optuna[m]).filter((m): m is Method => Boolean(m));
  if (!methods.length) {
    await closeAll();
    throw new Error('no method left to run');
  }

  const warnings = metaFeatureWarnings(
    suite,
    methods.map((m) => m.name),
  );
  for (const w of warnings) log(`warning: ${w}`);
  log(
    `quality: ${suite.name}, ${tasks.length} task(s) × ${seeds.length} seed(s), budget ${budget}, prior trials ${priorTrials}, prior experiments ${priorExperiments}${values['shuffle-priors'] ? ', shuffled priors' : ''}; methods ${methods.map((m) => m.name).join(', ')}`,
  );
  try {
    const command = `quality ${argv.join(' ')}`;
    const results = await runRecorded(
      suite,
      methods,
      { budget, seeds, priorTrials, shufflePriors: values['shuffle-priors'], tasks, viaService: values['via-service'], priorExperiments, warnings },
      { out, resume: values.resume, ...(stopAfter !== undefined ? { stopAfter } : {}), command, python: optunaWanted.length ? python : null, skipped, log },
    );
    if (!results) return 0;
    process.stdout.write(`${summaryTable(results)}\n`);
    const files = await writeOutputs(out, results, `npm run bench -- ${command}`);
    finishRecorded(out);
    log(`wrote ${files.join(', ')}`);
  } finally {
    await closeAll();
  }
  return 0;
}
