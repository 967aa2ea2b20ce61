import { describe, expect, it } from 'vitest';
import { CholeskyDecomposition, Matrix, inverse } from 'ml-matrix';
import { Rng } from '../../optimizers/index.ts';
import { choleskyAppend, choleskyInverse, choleskyWithJitter } from '../../optimizers/linalg.ts';
import { allDims, GaussianProcess, type GPData, type GPHyperparameters } from '../../optimizers/models/gp.ts';
import { fitGP, hyperToTheta, logMarginalLikelihood } from '../../optimizers/models/fit.ts';

function matern(a: number[], b: number[], h: GPHyperparameters): number {
  let r2 = 0;
  a.forEach((v, d) => (r2 += ((v - b[d]!) / h.lengthscales[d]!) ** 2));
  const r = Math.sqrt(r2);
  return h.signal * (1 + Math.sqrt(5) * r + (5 / 3) * r2) * Math.exp(-Math.sqrt(5) * r);
}

function randomData(n: number, D: number, seed: number, f: (x: number[]) => number): { rows: number[][]; data: GPData } {
  const rng = new Rng(seed);
  const rows = Array.from({ length: n }, () => Array.from({ length: D }, () => rng.uniform()));
  const y = Float64Array.from(rows, (r) => f(r));
  return { rows, data: { X: Float64Array.from(rows.flat()), n, D, y, dims: allDims(D) } };
}

const h: GPHyperparameters = { lengthscales: [0.3, 0.7, 1.5], signal: 1.3, noise: 0.01 };

describe('linear algebra', () => {
  it('Cholesky and inverse agree with ml-matrix', () => {
    const { rows } = randomData(30, 3, 1, () => 0);
    const K = new Matrix(rows.map((a, i) => rows.map((b, j) => matern(a, b, h) + (i === j ? h.noise : 0))));
    const chol = choleskyWithJitter(Float64Array.from(K.to1DArray()), 30)!;
    const Lref = new CholeskyDecomposition(K).lowerTriangularMatrix;
    for (let i = 0; i < 30; i++) for (let j = 0; j <= i; j++) expect(chol.L[i * 30 + j]).toBeCloseTo(Lref.get(i, j), 10);
    const inv = choleskyInverse(chol.L, 30);
    const invRef = inverse(K);
    for (let i = 0; i < 30; i++)
      for (let j = 0; j < 30; j++)
        expect(inv[i * 30 + j]! / Math.max(1, Math.abs(invRef.get(i, j)))).toBeCloseTo(invRef.get(i, j) / Math.max(1, Math.abs(invRef.get(i, j))), 7);
  });

  it('adds jitter instead of failing on singular matrices (duplicate rows, zero noise)', () => {
    const K = new Float64Array([1, 1, 1, 1]);
    const c = choleskyWithJitter(K, 2);
    expect(c).not.toBeNull();
    expect(c!.jitter).toBeGreaterThan(0);
    expect(choleskyWithJitter(new Float64Array([NaN, 0, 0, 1]), 2)).toBeNull();
  });

  it('bordered Cholesky equals a fresh factorisation', () => {
    const A = new Float64Array([4, 2, 0.5, 2, 3, 0.3, 0.5, 0.3, 2]);
    const full = choleskyWithJitter(A, 3)!.L;
    const top = choleskyWithJitter(new Float64Array([4, 2, 2, 3]), 2)!.L;
    const ext = choleskyAppend(top, 2, [0.5, 0.3], 2)!;
    for (let i = 0; i < 9; i++) expect(ext[i]).toBeCloseTo(full[i]!, 12);
  });
});

describe('GaussianProcess', () => {
  const f = (x: number[]) => Math.sin(6 * x[0]!) + x[1]! * x[1]! - 0.5 * x[2]!;
  const { rows, data } = randomData(25, 3, 2, f);

  it('posterior mean and variance match the closed form computed with ml-matrix', () => {
    const gp = GaussianProcess.build(data, h)!;
    const K = new Matrix(rows.map((a, i) => rows.map((b, j) => matern(a, b, h) + (i === j ? h.noise : 0))));
    const Kinv = inverse(K);
    const yv = Matrix.columnVector(Array.from(data.y));
    const rng = new Rng(3);
    const Q = Array.from({ length: 10 }, () => [rng.uniform(), rng.uniform(), rng.uniform()]);
    const pred = gp.predict(Float64Array.from(Q.flat()), Q.length);
    Q.forEach((q, j) => {
      const k = Matrix.rowVector(rows.map((r) => matern(q, r, h)));
      const mu = k.mmul(Kinv).mmul(yv).get(0, 0);
      const v = h.signal - k.mmul(Kinv).mmul(k.transpose()).get(0, 0);
      expect(pred.mean[j]).toBeCloseTo(mu, 8);
      expect(pred.variance[j]).toBeCloseTo(v, 8);
    });
    const lml =
      -0.5 * yv.transpose().mmul(Kinv).mmul(yv).get(0, 0) -
      0.5 * Math.log(new CholeskyDecomposition(K).lowerTriangularMatrix.diag().reduce((a, b) => a * b * b, 1)) -
      12.5 * Math.log(2 * Math.PI);
    expect(gp.logMarginalLikelihood()).toBeCloseTo(lml, 8);
  });

  it('predicts a batch to the bit as it predicts each point alone, whatever the batch size', () => {
    // Batches go through the forward solve several points at a time; a point alone goes through
    // the one-point solve. Suggestions must not depend on how many points were scored together.
    const gp = GaussianProcess.build(data, h)!;
    const rng = new Rng(9);
    for (const m of [1, 7, 8, 9, 16, 19]) {
      const Q = Float64Array.from({ length: m * 3 }, () => rng.uniform());
      Q.set(data.X.subarray(0, 3), 0); // a training point, where the variance is at its floor
      const batch = gp.predict(Q, m);
      for (let j = 0; j < m; j++) {
        const one = gp.predict(Q.slice(j * 3, j * 3 + 3), 1);
        expect(Object.is(batch.mean[j], one.mean[0]), `mean ${j} of ${m}`).toBe(true);
        expect(Object.is(batch.variance[j], one.variance[0]), `variance ${j} of ${m}`).toBe(true);
      }
      expect(Array.from(gp.predict(Q, m, false).mean)).toEqual(Array.from(batch.mean));
    }
  });

  it('closed-form leave-one-out equals refitting without each point', () => {
    const gp = GaussianProcess.build(data, h)!;
    const loo = gp.leaveOneOut();
    for (const i of [0, 7, 24]) {
      const keep = rows.map((_, k) => k).filter((k) => k !== i);
      const sub = GaussianProcess.build(
        { X: Float64Array.from(keep.flatMap((k) => rows[k]!)), n: 24, D: 3, y: Float64Array.from(keep, (k) => data.y[k]!), dims: allDims(3) },
        h,
      )!;
      const p = sub.predict(Float64Array.from(rows[i]!), 1);
      expect(loo.mean[i]).toBeCloseTo(p.mean[0]!, 8);
      expect(loo.variance[i]).toBeCloseTo(p.variance[0]! + h.noise, 8);
    }
  });

  it('conditioning on a new point equals rebuilding with it', () => {
    const gp = GaussianProcess.build(data, h)!;
    const x = Float64Array.from([0.2, 0.4, 0.6]);
    const a = gp.condition(x, 0.7)!;
    const X2 = new Float64Array(26 * 3);
    X2.set(data.X);
    X2.set(x, 75);
    const y2 = Float64Array.from([...data.y, 0.7]);
    const b = GaussianProcess.build({ X: X2, n: 26, D: 3, y: y2, dims: allDims(3) }, h)!;
    const Q = Float64Array.from([0.1, 0.9, 0.3, 0.21, 0.41, 0.59]);
    const pa = a.predict(Q, 2);
    const pb = b.predict(Q, 2);
    for (let j = 0; j < 2; j++) {
      expect(pa.mean[j]).toBeCloseTo(pb.mean[j]!, 9);
      expect(pa.variance[j]).toBeCloseTo(pb.variance[j]!, 9);
    }
  });

  it('only looks at its active dims', () => {
    const dims = Int32Array.from([0]);
    const gp = GaussianProcess.build({ ...data, dims }, { lengthscales: [0.3], signal: 1, noise: 0.01 })!;
    const p = gp.predict(Float64Array.from([0.5, 0, 0, 0.5, 1, 1]), 2);
    expect(p.mean[0]).toBeCloseTo(p.mean[1]!, 12);
  });
});

describe('hyperparameter fitting', () => {
  const { data } = randomData(30, 3, 4, (x) => Math.sin(6 * x[0]!) + 0.3 * x[1]!);

  it('analytic LML gradient matches central finite differences', () => {
    for (const hh of [h, { lengthscales: [0.05, 3, 0.5], signal: 0.4, noise: 1e-4 }]) {
      const theta = hyperToTheta(hh);
      const grad = new Float64Array(theta.length);
      logMarginalLikelihood(data, theta, grad);
      for (let k = 0; k < theta.length; k++) {
        const eps = 1e-5;
        const tp = Float64Array.from(theta);
        const tm = Float64Array.from(theta);
        tp[k] = tp[k]! + eps;
        tm[k] = tm[k]! - eps;
        const fd = (logMarginalLikelihood(data, tp) - logMarginalLikelihood(data, tm)) / (2 * eps);
        expect(Math.abs(grad[k]! - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
      }
    }
  });

  it('MAP fit improves the LML over the prior mean and learns which input matters (ARD)', () => {
    const fit = fitGP(data, { seed: 1, restarts: 3 })!;
    expect(fit).not.toBeNull();
    const start = logMarginalLikelihood(data, Float64Array.from([Math.log(4), Math.log(4), Math.log(4), 0, -4]));
    expect(fit.lml).toBeGreaterThan(start);
    const [l0, l1, l2] = fit.hyper.lengthscales;
    expect(l0!).toBeLessThan(l1!);
    expect(l0!).toBeLessThan(l2!);
    // deterministic in the seed
    expect(fitGP(data, { seed: 1, restarts: 3 })!.hyper).toEqual(fit.hyper);
  });

  it('survives duplicate inputs and constant outputs', () => {
    const X = new Float64Array(20).fill(0.5);
    const fit = fitGP({ X, n: 10, D: 2, y: new Float64Array(10), dims: allDims(2) }, { seed: 0 });
    expect(fit).not.toBeNull();
    const p = fit!.gp.predict(Float64Array.from([0.1, 0.9]), 1);
    expect(Number.isFinite(p.mean[0]!)).toBe(true);
    expect(p.variance[0]!).toBeGreaterThan(0);
  });
});
