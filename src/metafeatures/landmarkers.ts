import type { Rng } from './rng.ts';

/**
 * Landmarkers: cross-validated accuracy of three cheap learners, a proxy for how hard
 * the dataset is (Pfahringer et al. 2000; auto-sklearn's Landmark*). Data is a small
 * labelled subsample held in memory.
 */
export interface LandmarkData {
  n: number;
  /** Row-major n × pNum standardized numeric features, missing imputed as 0 (the mean). */
  num: Float64Array;
  pNum: number;
  /** Row-major n × pCat category codes; a missing cell has its own code. */
  cat: Int32Array;
  pCat: number;
  /** Number of codes per categorical feature. */
  catCardinality: readonly number[];
  /** Class index per row, 0..classes−1. */
  labels: Int32Array;
  classes: number;
}

export interface LandmarkResult {
  folds: number;
  oneNN: number;
  decisionStump: number;
  naiveBayes: number;
}

export const LANDMARK_MAX_FOLDS = 5;

/** Stratified k-fold: each class's rows are shuffled and dealt round-robin, continuing across classes so folds stay equal-sized. */
export function stratifiedFolds(labels: Int32Array, classes: number, k: number, rng: Rng): Int32Array {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  labels.forEach((c, i) => byClass[c]!.push(i));
  const folds = new Int32Array(labels.length);
  let next = 0;
  for (const idx of byClass) {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      const tmp = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = tmp;
    }
    for (const i of idx) {
      folds[i] = next % k;
      next++;
    }
  }
  return folds;
}

/** Accuracy pooled over all held-out rows of a k-fold CV (k = min(5, n)). */
export function landmarkers(d: LandmarkData, rng: Rng): LandmarkResult {
  const k = Math.min(LANDMARK_MAX_FOLDS, d.n);
  const folds = stratifiedFolds(d.labels, d.classes, k, rng);
  const sortedNum = numericOrders(d);
  let nn = 0;
  let stump = 0;
  let nb = 0;
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < d.n; i++) (folds[i] === f ? test : train).push(i);
    if (test.length === 0) continue;
    nn += oneNN(d, train, test);
    stump += decisionStump(d, folds, f, train, test, sortedNum);
    nb += naiveBayes(d, train, test);
  }
  return { folds: k, oneNN: nn / d.n, decisionStump: stump / d.n, naiveBayes: nb / d.n };
}

/** 1-nearest-neighbour; distance = squared Euclidean on standardized numerics + 1 per categorical mismatch (HEOM-like). Ties go to the earliest training row. */
function oneNN(d: LandmarkData, train: readonly number[], test: readonly number[]): number {
  const { num, pNum, cat, pCat, labels } = d;
  let correct = 0;
  for (const i of test) {
    let best = Infinity;
    let bestLabel = -1;
    const oi = i * pNum;
    const ci = i * pCat;
    for (const j of train) {
      let dist = 0;
      const oj = j * pNum;
      for (let a = 0; a < pNum; a++) {
        const diff = num[oi + a]! - num[oj + a]!;
        dist += diff * diff;
      }
      if (dist >= best) continue;
      const cj = j * pCat;
      for (let a = 0; a < pCat; a++) if (cat[ci + a] !== cat[cj + a]) dist += 1;
      if (dist < best) {
        best = dist;
        bestLabel = labels[j]!;
      }
    }
    if (bestLabel === labels[i]) correct++;
  }
  return correct;
}

function numericOrders(d: LandmarkData): Int32Array[] {
  const orders: Int32Array[] = [];
  for (let a = 0; a < d.pNum; a++) {
    const idx = Array.from({ length: d.n }, (_, i) => i);
    idx.sort((x, y) => d.num[x * d.pNum + a]! - d.num[y * d.pNum + a]! || x - y);
    orders.push(Int32Array.from(idx));
  }
  return orders;
}

const xlogx = (x: number): number => (x > 0 ? x * Math.log(x) : 0);

function argmax(counts: ArrayLike<number>): number {
  let best = 0;
  for (let c = 1; c < counts.length; c++) if (counts[c]! > counts[best]!) best = c;
  return best;
}

/**
 * Depth-1 decision tree, split chosen by information gain (entropy), as auto-sklearn's
 * LandmarkDecisionNodeLearner: numeric features split at midpoints between consecutive
 * values, categorical features as "code == v" vs rest (one-hot). Leaves predict their
 * majority class; with no useful split the stump predicts the training majority.
 */
function decisionStump(
  d: LandmarkData,
  folds: Int32Array,
  f: number,
  train: readonly number[],
  test: readonly number[],
  sortedNum: readonly Int32Array[],
): number {
  const K = d.classes;
  const total = new Float64Array(K);
  for (const i of train) total[d.labels[i]!]!++;
  const nT = train.length;
  let sT = 0;
  for (let c = 0; c < K; c++) sT += xlogx(total[c]!);
  // Weighted child entropy in nats × n: Σ_sides [n_s ln n_s − Σ_c n_sc ln n_sc].
  let best = xlogx(nT) - sT - 1e-9;
  let kind: 'none' | 'num' | 'cat' = 'none';
  let feat = -1;
  let thr = 0;

  const left = new Float64Array(K);
  for (let a = 0; a < d.pNum; a++) {
    left.fill(0);
    let sL = 0;
    let sR = sT;
    let nL = 0;
    const order = sortedNum[a]!;
    let prev = -1;
    for (let q = 0; q < order.length; q++) {
      const i = order[q]!;
      if (folds[i] === f) continue;
      if (prev >= 0) {
        const vPrev = d.num[prev * d.pNum + a]!;
        const v = d.num[i * d.pNum + a]!;
        if (v > vPrev) {
          const imp = xlogx(nL) - sL + xlogx(nT - nL) - sR;
          if (imp < best) {
            best = imp;
            kind = 'num';
            feat = a;
            thr = (vPrev + v) / 2;
          }
        }
      }
      const c = d.labels[i]!;
      const lc = left[c]!;
      sL += xlogx(lc + 1) - xlogx(lc);
      const rc = total[c]! - lc;
      sR += xlogx(rc - 1) - xlogx(rc);
      left[c] = lc + 1;
      nL++;
      prev = i;
    }
  }

  for (let a = 0; a < d.pCat; a++) {
    const V = d.catCardinality[a]!;
    const counts = new Float64Array(V * K);
    for (const i of train) counts[d.cat[i * d.pCat + a]! * K + d.labels[i]!]!++;
    for (let v = 0; v < V; v++) {
      let nL = 0;
      let sL = 0;
      let sR = 0;
      for (let c = 0; c < K; c++) {
        const lc = counts[v * K + c]!;
        nL += lc;
        sL += xlogx(lc);
        sR += xlogx(total[c]! - lc);
      }
      if (nL === 0 || nL === nT) continue;
      const imp = xlogx(nL) - sL + xlogx(nT - nL) - sR;
      if (imp < best) {
        best = imp;
        kind = 'cat';
        feat = a;
        thr = v;
      }
    }
  }

  const goesLeft = (i: number): boolean => (kind === 'num' ? d.num[i * d.pNum + feat]! <= thr : kind === 'cat' ? d.cat[i * d.pCat + feat] === thr : true);
  const leftCounts = new Float64Array(K);
  const rightCounts = new Float64Array(K);
  for (const i of train) (goesLeft(i) ? leftCounts : rightCounts)[d.labels[i]!]!++;
  const majority = argmax(total);
  const leftLabel = leftCounts.some((x) => x > 0) ? argmax(leftCounts) : majority;
  const rightLabel = rightCounts.some((x) => x > 0) ? argmax(rightCounts) : majority;
  let correct = 0;
  for (const i of test) if ((goesLeft(i) ? leftLabel : rightLabel) === d.labels[i]) correct++;
  return correct;
}

/**
 * Naive Bayes: Gaussian likelihoods for numeric features (per-class mean and population
 * variance plus sklearn's var_smoothing = 1e-9 × largest feature variance), Laplace-smoothed
 * categorical likelihoods for categorical features. Ties go to the lowest class index.
 */
function naiveBayes(d: LandmarkData, train: readonly number[], test: readonly number[]): number {
  const K = d.classes;
  const { pNum, pCat } = d;
  const nc = new Float64Array(K);
  const sum = new Float64Array(K * pNum);
  const sumSq = new Float64Array(K * pNum);
  for (const i of train) {
    const c = d.labels[i]!;
    nc[c]!++;
    for (let a = 0; a < pNum; a++) {
      const x = d.num[i * pNum + a]!;
      sum[c * pNum + a]! += x;
      sumSq[c * pNum + a]! += x * x;
    }
  }
  let maxVar = 0;
  for (let a = 0; a < pNum; a++) {
    let s = 0;
    let ss = 0;
    for (const i of train) {
      const x = d.num[i * pNum + a]!;
      s += x;
      ss += x * x;
    }
    const v = ss / train.length - (s / train.length) ** 2;
    if (v > maxVar) maxVar = v;
  }
  const eps = 1e-9 * (maxVar > 0 ? maxVar : 1);
  const mu = new Float64Array(K * pNum);
  const variance = new Float64Array(K * pNum);
  for (let c = 0; c < K; c++) {
    for (let a = 0; a < pNum; a++) {
      const m = nc[c]! > 0 ? sum[c * pNum + a]! / nc[c]! : 0;
      mu[c * pNum + a] = m;
      const v = nc[c]! > 0 ? sumSq[c * pNum + a]! / nc[c]! - m * m : 0;
      variance[c * pNum + a] = Math.max(0, v) + eps;
    }
  }
  const catOffsets: number[] = [];
  let catTotal = 0;
  for (let a = 0; a < pCat; a++) {
    catOffsets.push(catTotal);
    catTotal += d.catCardinality[a]!;
  }
  const catCounts = new Float64Array(K * catTotal);
  for (const i of train) {
    const c = d.labels[i]!;
    for (let a = 0; a < pCat; a++) catCounts[c * catTotal + catOffsets[a]! + d.cat[i * pCat + a]!]!++;
  }

  let correct = 0;
  for (const i of test) {
    let best = -Infinity;
    let bestC = -1;
    for (let c = 0; c < K; c++) {
      // Classes absent from this training fold cannot be predicted.
      if (nc[c] === 0) continue;
      let ll = Math.log(nc[c]! / train.length);
      for (let a = 0; a < pNum; a++) {
        const v = variance[c * pNum + a]!;
        const diff = d.num[i * pNum + a]! - mu[c * pNum + a]!;
        ll -= 0.5 * (Math.log(2 * Math.PI * v) + (diff * diff) / v);
      }
      for (let a = 0; a < pCat; a++) {
        const cnt = catCounts[c * catTotal + catOffsets[a]! + d.cat[i * pCat + a]!]!;
        ll += Math.log((cnt + 1) / (nc[c]! + d.catCardinality[a]!));
      }
      if (ll > best) {
        best = ll;
        bestC = c;
      }
    }
    if (bestC === d.labels[i]) correct++;
  }
  return correct;
}
