// `npm run bench -- quality …`: parse the options, assemble the methods, run, write the outputs.
// Progress goes to stderr, the summary table to stdout.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveSettings } from '../../optimizers/index.ts';
import { readSuite } from '../../src/suites.ts';
import type { Method } from './method.ts';
import { findOptunaPython, OPTUNA_INSTALL_HINT, optunaMethods } from './optuna.ts';
import { gpMethod, randomMethod, transferMethod, warmInitMethod } from './ours.ts';
import { writeOutputs } from './output.ts';
import { summaryTable } from './report.ts';
import { runQuality, selectTasks } from './run.ts';
import { serviceMethods } from './service.ts';

export const ALL_METHODS = ['random', 'gp', 'warm-init', 'transfer', 'optuna-tpe', 'optuna-tpe-warm'];

export const QUALITY_USAGE = `npm run bench -- quality --suite <path> [--methods ${ALL_METHODS.join(',')}] [--budget 50] [--seeds 5]
    [--prior-trials 100] [--tasks <count>|<id,id,…>] [--shuffle-priors] [--via-service] [--out <dir>]`;

function positiveInt(name: string, v: string): number {
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
      out: { type: 'string' },
    },
  });
  if (!values.suite) throw new Error(`--suite is required\n${QUALITY_USAGE}`);
  const suite = readSuite(resolve(values.suite));
  const budget = positiveInt('budget', values.budget);
  const seeds = Array.from({ length: positiveInt('seeds', values.seeds) }, (_, i) => i + 1);
  const priorTrials = positiveInt('prior-trials', values['prior-trials']);
  const tasks = selectTasks(suite, values.tasks);
  const wanted = values.methods
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  const unknown = wanted.filter((m) => !ALL_METHODS.includes(m));
  if (unknown.length) throw new Error(`unknown method(s) ${unknown.join(', ')}; known: ${ALL_METHODS.join(', ')}`);

  const skipped: { method: string; reason: string }[] = [];
  const ours: Record<string, Method> = { random: randomMethod, gp: gpMethod, 'warm-init': warmInitMethod, transfer: transferMethod };
  let closeService = async (): Promise<void> => {};
  if (values['via-service'] && wanted.some((m) => ['gp', 'warm-init', 'transfer'].includes(m))) {
    const service = await serviceMethods(suite, log);
    Object.assign(ours, service.methods);
    closeService = service.close;
  }
  let closeOptuna = async (): Promise<void> => {};
  const optunaWanted = wanted.filter((m) => m.startsWith('optuna'));
  let optuna: Record<string, Method> = {};
  if (optunaWanted.length) {
    const python = findOptunaPython();
    if (python) {
      // The warm variant enqueues as many prior bests as our warm design has initial trials, for a like-for-like start.
      const o = optunaMethods(python, resolveSettings(undefined, suite.searchSpace.length).nInitial);
      optuna = { 'optuna-tpe': o.tpe, 'optuna-tpe-warm': o.tpeWarm };
      closeOptuna = o.close;
    } else {
      const reason = `no python3 can import optuna; install it with: ${OPTUNA_INSTALL_HINT}`;
      log(`skipping ${optunaWanted.join(', ')}: ${reason}`);
      for (const m of optunaWanted) skipped.push({ method: m, reason });
    }
  }
  const methods = wanted.map((m) => ours[m] ?? optuna[m]).filter((m): m is Method => Boolean(m));
  if (!methods.length) throw new Error('no method left to run');

  log(
    `quality: ${suite.name}, ${tasks.length} task(s) × ${seeds.length} seed(s), budget ${budget}, prior trials ${priorTrials}${values['shuffle-priors'] ? ', shuffled priors' : ''}; methods ${methods.map((m) => m.name).join(', ')}`,
  );
  try {
    const results = await runQuality(
      suite,
      methods,
      { budget, seeds, priorTrials, shufflePriors: values['shuffle-priors'], tasks, viaService: values['via-service'] },
      log,
      skipped,
    );
    process.stdout.write(`${summaryTable(results)}\n`);
    const out = resolve(values.out ?? `bench/out/quality-${suite.name}`);
    const files = await writeOutputs(out, results, `npm run bench -- quality ${argv.join(' ')}`);
    log(`wrote ${files.join(', ')}`);
  } finally {
    await closeOptuna();
    await closeService();
  }
  return 0;
}
