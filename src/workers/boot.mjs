// A worker thread's entry: registers the TypeScript loader the service runs with (tsx), then imports
// the module named by workerData.entry. Plain JavaScript, so that it starts wherever the service runs
// (under tsx, or under the test runner, whose loader a worker does not inherit).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
