// Runs in a worker thread (see optimizer-pool.ts): one OptimizerRunner, whose memos live here with the
// computations that use them, answering the pool's calls one at a time.
import { parentPort, workerData } from 'node:worker_threads';
import type { Suggestion, SuggestRequest } from '../../optimizers/schema.ts';
import { OptimizerRunner, type OptimizerRunnerOptions } from './optimizer-runner.ts';
import { ResidentPriorsStore, type PriorTransfer } from './resident-priors.ts';

export type ThreadCall =
  | { type: 'suggest'; id: number; experimentKey: string; request: Omit<SuggestRequest, 'priors'>; priors: PriorTransfer }
  | { type: 'forget' };
export type ThreadAnswer = { id: number; ok: true; suggestions: Suggestion[] } | { id: number; ok: false; message: string };

const runner = new OptimizerRunner((workerData as { opts: OptimizerRunnerOptions }).opts);
const priors = new ResidentPriorsStore();
const port = parentPort!;

port.on('message', (call: ThreadCall) => {
  if (call.type === 'forget') {
    priors.clear();
    return runner.forgetExperiments();
  }
  let answer: ThreadAnswer;
  try {
    // Applied before anything can fail: the sender has already counted these priors as resident.
    const resident = priors.receive(call.priors);
    const request = { ...call.request, ...(resident.length > 0 ? { priors: resident } : {}) };
    answer = { id: call.id, ok: true, suggestions: runner.run(call.experimentKey, request) };
  } catch (err) {
    answer = { id: call.id, ok: false, message: (err as Error).message ?? String(err) };
  }
  port.postMessage(answer);
});
