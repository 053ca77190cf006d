// The CI step's mutation run (.ci/mutation.mjs passes --mutate with the
// changed lines): the full configuration without static mutants — each of
// them reruns every test, and the full run (npm run test:mutation) covers
// them — failing below 90% killed on those lines.
import { availableParallelism } from 'node:os';
import base from './stryker.config.mjs';

export default {
  ...base,
  ignoreStatic: true,
  concurrency: Math.max(1, availableParallelism()),
  reporters: ['clear-text', 'progress-append-only'],
  clearTextReporter: { ...base.clearTextReporter, reportScoreTable: true, reportMutants: true, reportTests: false },
  thresholds: { ...base.thresholds, break: 90 },
};
