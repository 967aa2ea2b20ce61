import { describe, expect, it } from 'vitest';
import { misspeltName, nearestName } from '../../src/http/validation.ts';
import { META_FEATURE_DOCS } from '../../src/metafeatures/definitions.ts';

const PROFILED = Object.keys(META_FEATURE_DOCS);

describe('misspelt meta-feature names', () => {
  it('finds a profiler name one edit away, or equal up to case and separators', () => {
    expect(misspeltName('number_of_instance', PROFILED)).toBe('number_of_instances');
    expect(misspeltName('class_entopy', PROFILED)).toBe('class_entropy');
    expect(misspeltName('Number-Of-Instances', PROFILED)).toBe('number_of_instances');
    expect(misspeltName('kurtosis_maxx', PROFILED)).toBe('kurtosis_max');
  });

  it('leaves names of their own alone: other tools’ conventions, shorter or longer names, short words', () => {
    // nearestName (for request fields) would suggest a profiler name for some of these: containment counts there.
    expect(nearestName('mean', PROFILED)).not.toBeNull();
    for (const name of [
      'mean',
      'ratio',
      'missing',
      'landmark',
      'kurtosis',
      'skewness_median',
      'number_of_instances_train',
      'nr_features',
      'NumInstances',
      'rows',
    ]) {
      expect(misspeltName(name, PROFILED), name).toBeNull();
    }
  });
});
