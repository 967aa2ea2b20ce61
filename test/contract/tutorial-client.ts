// @ts-nocheck: checked by test/contract/client.test.ts, against the types it generates from docs/openapi.json (they exist only there)
/**
 * The tutorial's loop through a client generated from the published API description, as a team that
 * does not write its own client would do it: `npx openapi-typescript docs/openapi.json -o api.ts`,
 * then openapi-fetch. Register a dataset, start an experiment, ask, train and tell until the budget is
 * used up, then read the best trial. PRECEDENT_URL and PRECEDENT_API_KEY say where and as whom.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './api.ts';

const api = createClient<paths>({ baseUrl: process.env.PRECEDENT_URL, headers: { authorization: `Bearer ${process.env.PRECEDENT_API_KEY}` } });

/** Stands in for a training run: a score that peaks at learning_rate 0.1, max_depth 6. */
const train = (config: components['schemas']['Trial']['config']) =>
  0.9 - (Math.log10(Number(config.learning_rate)) + 1) ** 2 / 10 - (Number(config.max_depth) - 6) ** 2 / 200;

const dataset = await api.POST('/v1/datasets', {
  body: { name: 'credit', metaFeatures: { number_of_instances: 200, number_of_features: 3, class_entropy: 0.81 } },
});
if (!dataset.data) throw new Error(`registering the dataset: ${dataset.error?.message}`);

const experiment = await api.POST('/v1/experiments', {
  body: {
    name: 'credit-xgboost',
    datasetId: dataset.data.id,
    model: { name: 'xgboost' },
    searchSpace: [
      { name: 'learning_rate', type: 'float', low: 0.001, high: 0.3, log: true },
      { name: 'max_depth', type: 'int', low: 2, high: 12 },
    ],
    objective: { metric: 'auc', direction: 'maximize' },
    budget: { maxTrials: 6 },
    ifExists: 'reuse',
  },
});
if (!experiment.data) throw new Error(`starting the experiment: ${experiment.error?.message}`);
const id = experiment.data.id;

for (;;) {
  const asked = await api.POST('/v1/experiments/{id}/suggestions', { params: { path: { id } }, body: { count: 2 } });
  if (asked.response.status === 409) break; // the budget is used up
  if (!asked.data) throw new Error(`asking: ${asked.error?.message}`);
  for (const trial of asked.data.trials) {
    const told = await api.POST('/v1/trials/{id}/complete', { params: { path: { id: trial.id } }, body: { value: train(trial.config) } });
    if (!told.data) throw new Error(`telling trial #${trial.number}: ${told.error?.message}`);
  }
}

const detail = await api.GET('/v1/experiments/{id}', { params: { path: { id } } });
if (!detail.data?.bestTrial) throw new Error(`no best trial: ${detail.error?.message}`);
const { number, value, config } = detail.data.bestTrial;
console.log(JSON.stringify({ experimentId: id, counts: detail.data.counts, best: { number, value, config } }));
