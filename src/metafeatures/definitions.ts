/**
 * One-line definition of every meta-feature the profiler can emit. Names are
 * snake_case versions of OpenML qualities / auto-sklearn meta-features where those
 * exist. N = rows, P = features (all columns except the target), K = classes.
 * "exact" = computed over every row of the file; "sample" = on the seeded reservoir.
 * A key is omitted (with a note saying why) when its value would be undefined.
 */
export const META_FEATURE_DOCS: Readonly<Record<string, string>> = {
  // simple (exact)
  number_of_instances: 'N, data rows in the file',
  log_number_of_instances: 'ln N',
  number_of_features: 'P, columns other than the target (auto-sklearn convention; OpenML also counts the target)',
  log_number_of_features: 'ln P',
  number_of_numeric_features: 'features whose non-missing cells are all finite numbers',
  number_of_categorical_features: 'the other features',
  number_of_binary_features: 'features with exactly 2 distinct non-missing values',
  ratio_numerical_to_nominal: 'numeric / categorical features; 0 when there are no categorical features (auto-sklearn convention)',
  ratio_nominal_to_numerical: 'categorical / numeric features; 0 when there are no numeric features (auto-sklearn convention)',
  dimensionality: 'P / N (OpenML Dimensionality, auto-sklearn DatasetRatio)',
  log_dimensionality: 'ln(P / N)',
  inverse_dataset_ratio: 'N / P',
  log_inverse_dataset_ratio: 'ln(N / P)',
  number_of_missing_values: 'missing feature cells (target excluded)',
  missing_values_ratio: 'missing feature cells / (N × P)',
  number_of_instances_with_missing_values: 'rows with at least one missing feature cell',
  instances_with_missing_ratio: 'rows with at least one missing feature cell / N',
  number_of_features_with_missing_values: 'features with at least one missing cell',
  features_with_missing_ratio: 'features with at least one missing cell / P',
  number_of_classes: 'K, distinct non-missing target values; 0 for regression (OpenML convention)',
  // class (classification, exact, over rows with a non-missing target)
  class_entropy: '−Σ p_c log2 p_c over class proportions, in bits',
  class_probability_min: 'smallest class proportion',
  class_probability_max: 'largest class proportion',
  class_probability_mean: 'mean class proportion (= 1/K)',
  class_probability_std: 'population std of the class proportions',
  majority_class_ratio: 'count of the most frequent class / labelled rows',
  minority_class_ratio: 'count of the least frequent class / labelled rows',
  class_imbalance: '1 − class_entropy / log2 K (0 = balanced, → 1 = one class dominates); 0 when K = 1',
  class_imbalance_ratio: 'majority class count / minority class count (≥ 1)',
  // regression target (exact)
  target_skewness: 'population skewness g1 of the target; omitted when the target is constant',
  target_kurtosis: 'population excess kurtosis g2 of the target; omitted when the target is constant',
  // statistical (exact, numeric features with min < max)
  skewness_min: 'min over numeric features of population skewness g1 = m3 / m2^1.5',
  skewness_max: 'max of the per-feature skewness',
  skewness_mean: 'mean of the per-feature skewness',
  skewness_std: 'population std of the per-feature skewness',
  kurtosis_min: 'min over numeric features of population excess kurtosis g2 = m4 / m2² − 3',
  kurtosis_max: 'max of the per-feature kurtosis',
  kurtosis_mean: 'mean of the per-feature kurtosis',
  kurtosis_std: 'population std of the per-feature kurtosis',
  std_dev_mean: 'mean over numeric features (≥ 1 value) of the population std (scale-dependent)',
  std_dev_std: 'population std of the per-feature std (scale-dependent)',
  // categorical cardinality (exact below 1,024 distinct values per column, estimated above (≈3% error))
  symbols_min: 'min over categorical features of the number of distinct values',
  symbols_max: 'max of the per-feature distinct counts',
  symbols_mean: 'mean of the per-feature distinct counts',
  symbols_std: 'population std of the per-feature distinct counts',
  symbols_sum: 'sum of the per-feature distinct counts',
  // PCA (sample)
  pca_number_of_components_for_95_percent_variance: 'fewest principal components of the standardized numeric features reaching 95% of the variance',
  pca_fraction_of_components_for_95_percent_variance: 'that count / number of varying numeric features used',
  pca_skewness_first_pc: 'population skewness of the scores on the first PC (sign fixed: largest |loading| positive)',
  pca_kurtosis_first_pc: 'population excess kurtosis of the scores on the first PC',
  // landmarkers (classification, sample ≤ 2000 labelled rows, stratified k-fold, k = min(5, n))
  landmark_1nn: 'CV accuracy of 1-nearest-neighbour (standardized numerics + categorical mismatch)',
  landmark_decision_stump: 'CV accuracy of the best single-feature split by information gain',
  landmark_naive_bayes: 'CV accuracy of naive Bayes (Gaussian numerics, Laplace-smoothed categoricals)',
};
