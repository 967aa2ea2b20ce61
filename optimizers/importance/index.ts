// Parameter importance on an experiment's completed trials. Pure: no I/O, no clocks, no randomness.
export {
  pedAnova,
  pearsonDivergence,
  topTrials,
  PED_ANOVA_REFERENCE,
  type ImportanceObservation,
  type ImportanceOptions,
  type ImportanceResult,
  type ParameterImportance,
} from './ped-anova.ts';
