import { Worker } from 'node:worker_threads';
import type { Suggestion, SuggestRequest } from '../../optimizers/schema.ts';
import { fnv1a } from '../../optimizers/random.ts';
import type { OptimizerRunnerOptions } from './optimizer-runner.ts';
import type { ThreadAnswer, ThreadCall } from './optimizer-thread.ts';
import { ResidentPriorsSender } from './resident-priors.ts';

const BOOT = new URL('./boot.mjs', import.meta.url);
const ENTRY = new URL('./optimizer-thread.ts', import.meta.url).href;

/**
 * Prior versions an optimizer thread keeps (see resident-priors.ts). Each holds a prior's completed
 * results, so a few hundred cover many experiments' choices without copying every history there.
 */
const RESIDENT_PRIORS = 400;

type Pending = { resolve: (s: Suggestion[]) => void; reject: (err: Error) => void };

/** One worker thread and the calls it has not answered yet. */
class OptimizerThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  /** What the running thread holds; reset with it. */
  private readonly priors: ResidentPriorsSender;

  constructor(private readonly opts: OptimizerRunnerOptions) {
    this.priors = new ResidentPriorsSender(RESIDENT_PRIORS);
  }

  /** Started at its first call: most services never fit a model, and tests build many services. */
  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(BOOT, { workerData: { entry: ENTRY, opts: this.opts } });
    this.priors.reset();
    // Never what keeps a process alive: the service's close() ends it, and a CLI may simply exit.
    worker.unref();
    worker.on('message', (m: ThreadAnswer) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.suggestions);
      else p.reject(new Error(m.message));
    });
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      // A crashed thread (say, out of memory) fails its calls; the next call starts a new one.
      this.worker = null;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the optimizer thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  suggest(experimentKey: string, request: SuggestRequest): Promise<Suggestion[]> {
    const worker = this.started();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const { priors, ...rest } = request;
      try {
        worker.postMessage({ type: 'suggest', id, experimentKey, request: rest, priors: this.priors.transfer(priors ?? []) } satisfies ThreadCall);
      } catch (err) {
        // Not sent (say, a value that cannot be cloned): the thread did not get the priors the
        // sender now counts as resident, so it is replaced, and with it what it holds.
        this.pending.delete(id);
        reject(err as Error);
        void this.stop('the optimizer thread was restarted');
      }
    });
  }

  /** Drops the thread's per-experiment memos and resident priors (the graph may have been replaced). */
  forgetExperiments(): void {
    if (!this.worker) return;
    this.priors.reset();
    this.worker.postMessage({ type: 'forget' } satisfies ThreadCall);
  }

  /** Ends the running thread, failing its calls in flight with `reason`; a later call starts a new one. */
  private async stop(reason: string): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
    await worker?.terminate();
  }

  close(): Promise<void> {
    return this.stop('the service is closing');
  }
}

/**
 * Worker threads for the optimizer's heavy calls (model fits and acquisition search), so that an
 * expensive experiment never holds the event loop that answers /health and every other request.
 * An experiment always goes to the same thread (by a hash of its key), where its own memo lives;
 * the threads' memos are their own (see OptimizerRunner), and a hit equals recomputing, so the
 * thread a call runs on never changes its suggestions. Calls queue per thread.
 */
export class OptimizerPool {
  private readonly threads: OptimizerThread[];

  constructor(size: number, opts: OptimizerRunnerOptions) {
    this.threads = Array.from({ length: Math.max(1, size) }, () => new OptimizerThread(opts));
  }

  suggest(experimentKey: string, request: SuggestRequest): Promise<Suggestion[]> {
    return this.threads[fnv1a(experimentKey) % this.threads.length]!.suggest(experimentKey, request);
  }

  forgetExperiments(): void {
    for (const t of this.threads) t.forgetExperiments();
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }
}
