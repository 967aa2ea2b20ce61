import { normalizeCell, parseNumber } from './cells.ts';
import type { ColumnScan, CsvScan } from './csv-profile.ts';
import { META_FEATURE_DOCS } from './definitions.ts';
import { ProfileError } from './errors.ts';
import { landmarkers } from './landmarkers.ts';
import { pcaMetaFeatures } from './pca.ts';
import { createRng } from './rng.ts';
import { DatasetProfileSchema, META_FEATURE_VERSION } from './schema.ts';
import type { ColumnProfile, DatasetProfile, TaskType } from './schema.ts';
import { aggregate, entropyBits, excessKurtosisFromSums, pow2Scale, skewnessFromSums } from './stats.ts';

/** auto task type: a numeric target with at most this many distinct integer values is a class label. */
export const AUTO_MAX_INTEGER_CLASSES = 20;
/** Landmarkers are meant to be cheap: cap the labelled rows they see. */
export const LANDMARK_MAX_ROWS = 2000;
/** 1-NN costs ≈ n² × features; shrink the landmark rows for wide data to stay near a second. */
const LANDMARK_BUDGET = 4e8;

export interface ComputeOptions {
  taskType: TaskType | 'auto';
  seed: number;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/**
 * Moments are accumulated in a per-column power-of-two scale, so this only fails for a
 * column mixing magnitudes ~1e±150 apart; it is then left out of moment-based
 * meta-features rather than yield NaN.
 */
function momentsFinite(c: ColumnScan): boolean {
  return Number.isFinite(c.mean) && Number.isFinite(c.m2) && Number.isFinite(c.m3) && Number.isFinite(c.m4) && c.m2 > 0;
}

/** Population std in the column's original units. */
function columnStd(c: ColumnScan): number {
  return Math.sqrt(Math.max(0, c.m2) / c.count) / c.scale;
}

interface TargetInfo {
  taskType: TaskType;
  /** Classification only: labels by count desc then label, with exact counts. */
  classes: { label: string; count: number }[];
  /** Maps a normalized non-missing target cell to its class index. */
  classIndex: Map<string, number>;
  /** Turns a trimmed target cell into its class key (numeric targets: canonical number text, so '1' and '1.0' are one class). */
  key: (v: string) => string;
}

function resolveTarget(col: ColumnScan, counts: Map<string, number> | null, rows: number, requested: TaskType | 'auto', notes: string[]): TargetInfo {
  if (col.missing === rows) throw new ProfileError('BAD_TARGET', `target column ${JSON.stringify(col.name)} has no values`);
  const key = col.numeric ? (v: string) => String(parseNumber(v)) : (v: string) => v;
  let merged: Map<string, number> | null = null;
  if (counts !== null) {
    merged = new Map();
    for (const [v, c] of counts) {
      const k = key(v);
      merged.set(k, (merged.get(k) ?? 0) + c);
    }
  }

  let taskType: TaskType;
  if (requested === 'regression') {
    if (!col.numeric) {
      throw new ProfileError('BAD_TARGET', `regression needs a numeric target, but ${JSON.stringify(col.name)} has non-numeric values`);
    }
    taskType = 'regression';
  } else if (requested === 'classification') {
    taskType = 'classification';
  } else if (!col.numeric) {
    taskType = 'classification';
    notes.push(`task type auto → classification: target ${JSON.stringify(col.name)} is non-numeric`);
  } else if (col.integer && merged !== null && merged.size <= AUTO_MAX_INTEGER_CLASSES) {
    taskType = 'classification';
    notes.push(
      `task type auto → classification: target ${JSON.stringify(col.name)} has ${merged.size} distinct integer values (≤ ${AUTO_MAX_INTEGER_CLASSES})`,
    );
  } else {
    taskType = 'regression';
    notes.push(
      `task type auto → regression: target ${JSON.stringify(col.name)} is numeric ${col.integer ? `with more than ${AUTO_MAX_INTEGER_CLASSES} distinct values` : 'with non-integer values'}`,
    );
  }

  const classes: { label: string; count: number }[] = [];
  const classIndex = new Map<string, number>();
  if (taskType === 'classification') {
    if (merged === null) {
      throw new ProfileError('BAD_TARGET', `target ${JSON.stringify(col.name)} has more than 10,000 distinct values: not a classification target`);
    }
    for (const [label, count] of merged) classes.push({ label, count });
    // Plain code-unit comparison, not localeCompare, so ordering cannot vary with the host locale.
    classes.sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    classes.forEach((c, i) => classIndex.set(c.label, i));
  }
  if (col.missing > 0) {
    notes.push(`${fmt(col.missing)} row(s) have a missing target; they are excluded from class/target statistics and landmarkers`);
  }
  return { taskType, classes, classIndex, key };
}

/** Turns the streaming scan into the final profile. Pure given (scan, options). */
export function computeProfile(scan: CsvScan, opts: ComputeOptions): DatasetProfile {
  const notes = [...scan.notes];
  const mf: Record<string, number> = {};
  const t = scan.targetIndex;
  const targetCol = scan.columns[t]!;
  const target = resolveTarget(targetCol, scan.targetCounts, scan.rows, opts.taskType, notes);

  const N = scan.rows;
  const featureIdx = scan.columns.map((_, j) => j).filter((j) => j !== t);
  const P = featureIdx.length;
  const numericIdx = featureIdx.filter((j) => scan.columns[j]!.numeric);
  const categoricalIdx = featureIdx.filter((j) => !scan.columns[j]!.numeric);

  // ---- simple (exact)
  mf.number_of_instances = N;
  mf.log_number_of_instances = Math.log(N);
  mf.number_of_features = P;
  mf.log_number_of_features = Math.log(P);
  mf.number_of_numeric_features = numericIdx.length;
  mf.number_of_categorical_features = categoricalIdx.length;
  mf.number_of_binary_features = featureIdx.filter((j) => scan.columns[j]!.distinct === 2 && scan.columns[j]!.distinctExact).length;
  mf.ratio_numerical_to_nominal = categoricalIdx.length === 0 ? 0 : numericIdx.length / categoricalIdx.length;
  mf.ratio_nominal_to_numerical = numericIdx.length === 0 ? 0 : categoricalIdx.length / numericIdx.length;
  mf.dimensionality = P / N;
  mf.log_dimensionality = Math.log(P / N);
  mf.inverse_dataset_ratio = N / P;
  mf.log_inverse_dataset_ratio = Math.log(N / P);
  mf.number_of_missing_values = scan.missingFeatureCells;
  mf.missing_values_ratio = scan.missingFeatureCells / (N * P);
  mf.number_of_instances_with_missing_values = scan.rowsWithMissingFeature;
  mf.instances_with_missing_ratio = scan.rowsWithMissingFeature / N;
  const featuresWithMissing = featureIdx.filter((j) => scan.columns[j]!.missing > 0).length;
  mf.number_of_features_with_missing_values = featuresWithMissing;
  mf.features_with_missing_ratio = featuresWithMissing / P;
  mf.number_of_classes = target.taskType === 'classification' ? target.classes.length : 0;

  // ---- target
  if (target.taskType === 'classification') {
    const counts = target.classes.map((c) => c.count);
    const labelled = counts.reduce((s, c) => s + c, 0);
    const probs = counts.map((c) => c / labelled);
    const K = counts.length;
    const agg = aggregate(probs);
    const H = entropyBits(counts);
    mf.class_entropy = H;
    mf.class_probability_min = agg.min;
    mf.class_probability_max = agg.max;
    mf.class_probability_mean = agg.mean;
    mf.class_probability_std = agg.std;
    mf.majority_class_ratio = agg.max;
    mf.minority_class_ratio = agg.min;
    mf.class_imbalance = K > 1 ? Math.max(0, 1 - H / Math.log2(K)) : 0;
    mf.class_imbalance_ratio = Math.max(...counts) / Math.min(...counts);
    if (K === 1) notes.push('single class: class_imbalance set to 0 by convention; landmarkers skipped');
  } else if (targetCol.min < targetCol.max && momentsFinite(targetCol)) {
    mf.target_skewness = skewnessFromSums(targetCol.count, targetCol.m2, targetCol.m3);
    mf.target_kurtosis = excessKurtosisFromSums(targetCol.count, targetCol.m2, targetCol.m4);
  } else {
    notes.push(
      targetCol.min < targetCol.max
        ? 'target_skewness / target_kurtosis omitted: target magnitudes overflow the moment sums'
        : 'target_skewness / target_kurtosis omitted: the target is constant',
    );
  }

  // ---- statistical (exact streaming moments)
  const varying = numericIdx.map((j) => scan.columns[j]!).filter((c) => c.count >= 2 && c.min < c.max && momentsFinite(c));
  if (varying.length > 0) {
    const skews = varying.map((c) => skewnessFromSums(c.count, c.m2, c.m3));
    const kurts = varying.map((c) => excessKurtosisFromSums(c.count, c.m2, c.m4));
    const s = aggregate(skews);
    const k = aggregate(kurts);
    mf.skewness_min = s.min;
    mf.skewness_max = s.max;
    mf.skewness_mean = s.mean;
    mf.skewness_std = s.std;
    mf.kurtosis_min = k.min;
    mf.kurtosis_max = k.max;
    mf.kurtosis_mean = k.mean;
    mf.kurtosis_std = k.std;
    if (varying.length < numericIdx.length) {
      notes.push(`${numericIdx.length - varying.length} numeric feature(s) constant, empty or with non-representable moments: excluded from skewness/kurtosis`);
    }
  } else {
    notes.push('skewness_* / kurtosis_* omitted: no numeric feature has two distinct values');
  }
  const stds = numericIdx
    .map((j) => scan.columns[j]!)
    .filter((c) => c.count >= 1)
    .map(columnStd)
    .filter((v) => Number.isFinite(v));
  if (stds.length > 0) {
    const sd = aggregate(stds);
    mf.std_dev_mean = sd.mean;
    mf.std_dev_std = sd.std;
  }
  if (categoricalIdx.length > 0) {
    const sym = aggregate(categoricalIdx.map((j) => scan.columns[j]!.distinct));
    mf.symbols_min = sym.min;
    mf.symbols_max = sym.max;
    mf.symbols_mean = sym.mean;
    mf.symbols_std = sym.std;
    mf.symbols_sum = categoricalIdx.reduce((s, j) => s + scan.columns[j]!.distinct, 0);
  }

  // ---- sample-based
  const sample = decodeSample(scan, numericIdx, categoricalIdx, target);
  const n = sample.size;

  const pca = pcaMetaFeatures(sample.numeric, createRng(opts.seed, 'pca'));
  if ('skipped' in pca) {
    notes.push(pca.skipped);
  } else {
    mf.pca_number_of_components_for_95_percent_variance = pca.components95;
    mf.pca_fraction_of_components_for_95_percent_variance = pca.fraction95;
    if (pca.skewnessFirstPc !== undefined) mf.pca_skewness_first_pc = pca.skewnessFirstPc;
    if (pca.kurtosisFirstPc !== undefined) mf.pca_kurtosis_first_pc = pca.kurtosisFirstPc;
    notes.push(...pca.notes);
    if (pca.rows < n) notes.push(`PCA used the first ${fmt(pca.rows)} of ${fmt(n)} shuffled sample rows (compute budget)`);
  }

  if (target.taskType === 'regression') {
    notes.push('landmarkers skipped: regression target');
  } else if (target.classes.length >= 2) {
    const lm = buildLandmarkData(sample);
    if (lm === null) {
      notes.push('landmarkers skipped: fewer than 2 labelled sample rows');
    } else {
      const res = landmarkers(lm, createRng(opts.seed, 'folds'));
      mf.landmark_1nn = res.oneNN;
      mf.landmark_decision_stump = res.decisionStump;
      mf.landmark_naive_bayes = res.naiveBayes;
      notes.push(`landmarkers: ${res.folds}-fold stratified CV on ${fmt(lm.n)} labelled sample rows`);
    }
  }

  if (N > n) {
    notes.push(
      `profiled a uniform reservoir sample of ${fmt(n)} of ${fmt(N)} rows (seed ${opts.seed}) for PCA and landmarkers; ` +
        'counts, missing values, class counts, min/max and moments are exact over all rows',
    );
  }

  for (const [name, value] of Object.entries(mf)) {
    // Guard, not expected: every formula above is guarded; never ship a non-finite value.
    if (!Number.isFinite(value)) {
      delete mf[name];
      notes.push(`${name} omitted: not finite`);
    } else if (!(name in META_FEATURE_DOCS)) {
      throw new Error(`undocumented meta-feature ${name}`);
    }
  }

  const columns: ColumnProfile[] = scan.columns.map((c) => {
    const col: ColumnProfile = {
      name: c.name,
      kind: c.numeric ? 'numeric' : 'categorical',
      missing: c.missing,
      distinct: c.distinct,
      distinctExact: c.distinctExact,
    };
    if (c.numeric && c.count > 0) {
      col.min = c.min;
      col.max = c.max;
      const mean = c.mean / c.scale;
      const std = columnStd(c);
      if (Number.isFinite(mean) && Number.isFinite(std)) {
        col.mean = mean;
        col.std = std;
      }
    }
    return col;
  });

  const profile: DatasetProfile = {
    fingerprint: scan.fingerprint,
    bytes: scan.bytes,
    rows: N,
    sampled: N > n,
    sampleRows: n,
    seed: opts.seed,
    columns,
    target: targetCol.name,
    taskType: target.taskType,
    ...(target.taskType === 'classification' ? { classes: target.classes } : {}),
    metaFeatures: mf,
    notes,
    metaFeatureVersion: META_FEATURE_VERSION,
  };
  return DatasetProfileSchema.parse(profile);
}

interface DecodedSample {
  size: number;
  /** Per numeric feature, NaN = missing. */
  numeric: Float64Array[];
  /** Per categorical feature, −1 = missing. */
  categorical: Int32Array[];
  /** Class index per row, −1 = missing or regression. */
  labels: Int32Array;
  classes: number;
}

/** Column-wise typed arrays from the JSON-encoded sample, one row decoded at a time to avoid holding it twice as strings. */
function decodeSample(scan: CsvScan, numericIdx: number[], categoricalIdx: number[], target: TargetInfo): DecodedSample {
  const n = scan.sample.length;
  const numeric = numericIdx.map(() => new Float64Array(n));
  const categorical = categoricalIdx.map(() => new Int32Array(n));
  const dicts = categoricalIdx.map(() => new Map<string, number>());
  const labels = new Int32Array(n).fill(-1);
  const t = scan.targetIndex;
  const classification = target.taskType === 'classification';
  for (let r = 0; r < n; r++) {
    const rec = JSON.parse(scan.sample[r]!) as string[];
    numericIdx.forEach((j, a) => {
      const v = normalizeCell(rec[j]!);
      numeric[a]![r] = v === null ? NaN : parseNumber(v);
    });
    categoricalIdx.forEach((j, a) => {
      const v = normalizeCell(rec[j]!);
      if (v === null) {
        categorical[a]![r] = -1;
        return;
      }
      const dict = dicts[a]!;
      let code = dict.get(v);
      if (code === undefined) {
        code = dict.size;
        dict.set(v, code);
      }
      categorical[a]![r] = code;
    });
    if (classification) {
      const v = normalizeCell(rec[t]!);
      if (v !== null) labels[r] = target.classIndex.get(target.key(v)) ?? -1;
    }
  }
  return { size: n, numeric, categorical, labels, classes: target.classes.length };
}

/** Standardized, imputed, row-major landmark matrix from the first labelled rows of the shuffled sample. */
function buildLandmarkData(s: DecodedSample) {
  const pAll = s.numeric.length + s.categorical.length;
  const cap = Math.min(LANDMARK_MAX_ROWS, Math.floor(Math.sqrt(LANDMARK_BUDGET / Math.max(1, pAll))));
  const rows: number[] = [];
  for (let r = 0; r < s.size && rows.length < cap; r++) if (s.labels[r]! >= 0) rows.push(r);
  const n = rows.length;
  if (n < 2) return null;

  const numCols: Float64Array[] = [];
  for (const col of s.numeric) {
    let maxAbs = 0;
    for (const r of rows) {
      const a = Math.abs(col[r]!);
      if (a > maxAbs) maxAbs = a;
    }
    const sc = pow2Scale(maxAbs);
    let sum = 0;
    let k = 0;
    for (const r of rows) {
      const x = col[r]! * sc;
      if (!Number.isNaN(x)) {
        sum += x;
        k++;
      }
    }
    if (k === 0) continue;
    const mu = sum / k;
    let ss = 0;
    for (const r of rows) {
      const x = col[r]! * sc;
      if (!Number.isNaN(x)) ss += (x - mu) * (x - mu);
    }
    const sd = Math.sqrt(ss / k);
    // A constant column adds nothing to any of the three learners.
    if (!(sd > 0) || !Number.isFinite(sd)) continue;
    numCols.push(Float64Array.from(rows, (r) => (!Number.isNaN(col[r]!) ? (col[r]! * sc - mu) / sd : 0)));
  }
  const pNum = numCols.length;
  const num = new Float64Array(n * pNum);
  numCols.forEach((c, a) => c.forEach((x, i) => (num[i * pNum + a] = x)));

  const pCat = s.categorical.length;
  const cat = new Int32Array(n * pCat);
  const catCardinality: number[] = [];
  s.categorical.forEach((col, a) => {
    // Re-code over the landmark rows only so cardinalities (Laplace denominators) are local; missing is its own code.
    const remap = new Map<number, number>();
    rows.forEach((r, i) => {
      const code = col[r]!;
      let c = remap.get(code);
      if (c === undefined) {
        c = remap.size;
        remap.set(code, c);
      }
      cat[i * pCat + a] = c;
    });
    catCardinality.push(remap.size);
  });

  return {
    n,
    num,
    pNum,
    cat,
    pCat,
    catCardinality,
    labels: Int32Array.from(rows, (r) => s.labels[r]!),
    classes: s.classes,
  };
}
