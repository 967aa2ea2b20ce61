/** Recorded in every suggestion's provenance; bump when suggestions for the same input may change. */
export const OPTIMIZER_VERSION = 'precedent-optimizers/0.5.0';
