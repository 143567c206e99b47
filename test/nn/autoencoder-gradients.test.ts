/**
 * Gradient checks of the autoencoder terms (the KL sparsity penalty and tied
 * weights) on both backends, against float64 central differences of the
 * reference network (test/helpers/reference.ts), as test/backend/gradients.test.ts does for
 * the losses. Tolerances as there: float32 arithmetic sets them.
 */
import { describe, expect, it } from 'vitest';
import { Activation, Loss, type Backend, type NetworkSpec } from '../../src/backend/backend.js';
import { Rng } from '../../src/rng.js';
import { backendsUnderTest } from '../helpers/backends.js';
import { centralDiff, makeNet, mismatches, randomF32, refForwardLayers, refLoss } from '../helpers/reference.js';

// The reconstruction loss plus β·Σⱼ KL(ρ‖ρ̂ⱼ), all in float64.
function refObjective(net: NetworkSpec, params: ArrayLike<number>[], x: Float32Array, n: number): number {
  const { acts } = refForwardLayers({ ...net, params } as never, x, n);
  const k = net.sizes[net.sizes.length - 1]!;
  let loss = refLoss(acts[acts.length - 1]!, x, n, k, net.loss, net.lossParams);
  const s = net.sparsity;
  if (s) {
    const a = acts[s.layer]!;
    const cols = net.sizes[s.layer + 1]!;
    for (let j = 0; j < cols; j++) {
      let q = 0;
      for (let r = 0; r < n; r++) q += a[r * cols + j]!;
      q /= n;
      loss += s.beta * (s.rho * Math.log(s.rho / q) + (1 - s.rho) * Math.log((1 - s.rho) / (1 - q)));
    }
  }
  return loss;
}

function transpose(w: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const t = new Float64Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c]!;
  return t;
}

describe.each(backendsUnderTest())('autoencoder gradients on $name', (be: Backend) => {
  const n = 6;

  it('the KL sparsity penalty on the sigmoid code layer: loss and every parameter gradient', () => {
    const rng = new Rng(17);
    for (const loss of [Loss.mse, Loss.sigmoidCrossEntropy]) {
      const net: NetworkSpec = { ...makeNet(rng, [5, 4, 5], [Activation.sigmoid], loss), sparsity: { layer: 0, rho: 0.1, beta: 0.7 } };
      const x = randomF32(rng, n * 5, 0, 1);
      const grads = net.params.map((p) => new Float32Array(p.length));
      const value = be.lossGradient(grads, net, x, x, n);
      expect(Math.abs(value - refObjective(net, net.params, x, n))).toBeLessThan(1e-5 * (1 + Math.abs(value)));
      net.params.forEach((p, i) => {
        const fd = centralDiff(
          (v) =>
            refObjective(
              net,
              net.params.map((q, j) => (j === i ? v : q)),
              x,
              n,
            ),
          p,
        );
        expect(mismatches(grads[i]!, fd, 2e-5, 1e-3), `param ${i}`).toBeNull();
      });
    }
  });

  it('the penalty changes the gradient: without it the code layer is not pushed towards ρ', () => {
    const rng = new Rng(3);
    const base = makeNet(rng, [5, 4, 5], [Activation.sigmoid], Loss.mse);
    const x = randomF32(rng, n * 5, 0, 1);
    const g0 = base.params.map((p) => new Float32Array(p.length));
    const g1 = base.params.map((p) => new Float32Array(p.length));
    be.lossGradient(g0, base, x, x, n);
    be.lossGradient(g1, { ...base, sparsity: { layer: 0, rho: 0.05, beta: 3 } }, x, x, n);
    // Only the encoder (layer 0) sees the penalty; the decoder's gradient is unchanged.
    expect(mismatches(g1[2]!, g0[2]!, 0, 0)).toBeNull();
    expect(mismatches(g1[0]!, g0[0]!, 1e-4, 0)).not.toBeNull();
  });

  it('tied weights: the shared matrix gets g(e) + g(d)ᵀ, seen transposed by the decoder', () => {
    const rng = new Rng(29);
    // [6, 4, 3, 4, 6]: W(0)–W(3) and W(1)–W(2) tied, a deep tied autoencoder.
    const sizes = [6, 4, 3, 4, 6];
    const net: NetworkSpec = {
      ...makeNet(rng, sizes, [Activation.tanh, Activation.identity, Activation.tanh], Loss.mse),
      tiedPairs: Int32Array.of(0, 3, 1, 2),
    };
    const tie = (params: ArrayLike<number>[], e: number, d: number) => {
      params[2 * d] = transpose(params[2 * e]!, sizes[e + 1]!, sizes[e]!);
    };
    const tied = net.params.map((p) => p as ArrayLike<number>);
    tie(tied, 0, 3);
    tie(tied, 1, 2);
    tied.forEach((p, i) => net.params[i]!.set(p));
    const x = randomF32(rng, n * 6, -1, 1);
    const grads = net.params.map((p) => new Float32Array(p.length));
    be.lossGradient(grads, net, x, x, n);
    for (const [e, d] of [
      [0, 3],
      [1, 2],
    ] as const) {
      // Perturbing the one shared matrix moves both layers.
      const fd = centralDiff(
        (v) => {
          const params = net.params.map((q) => q as ArrayLike<number>);
          params[2 * e] = v;
          tie(params, e, d);
          return refObjective(net, params, x, n);
        },
        net.params[2 * e]!,
      );
      expect(mismatches(grads[2 * e]!, fd, 2e-5, 1e-3), `W(${e})`).toBeNull();
      expect(mismatches(grads[2 * d]!, transpose(fd, sizes[e + 1]!, sizes[e]!), 2e-5, 1e-3), `W(${d})`).toBeNull();
    }
    // Biases are never tied.
    const fdBias = centralDiff(
      (v) =>
        refObjective(
          net,
          net.params.map((q, j) => (j === 7 ? v : q)),
          x,
          n,
        ),
      net.params[7]!,
    );
    expect(mismatches(grads[7]!, fdBias, 2e-5, 1e-3)).toBeNull();
  });

  it('backward: the gradient of Σ dOutput ⊙ logits, for losses the network does not know', () => {
    const rng = new Rng(41);
    const net = makeNet(rng, [4, 5, 3], [Activation.tanh], Loss.mse);
    const x = randomF32(rng, n * 4);
    const dOut = randomF32(rng, n * 3);
    const grads = net.params.map((p) => new Float32Array(p.length));
    be.backward(grads, net, x, dOut, n);
    const f = (params: ArrayLike<number>[]) => {
      const { acts } = refForwardLayers({ ...net, params } as never, x, n);
      return acts[acts.length - 1]!.reduce((s, z, i) => s + z * dOut[i]!, 0);
    };
    net.params.forEach((p, i) => {
      const fd = centralDiff((v) => f(net.params.map((q, j) => (j === i ? v : q))), p);
      expect(mismatches(grads[i]!, fd, 2e-5, 1e-4), `param ${i}`).toBeNull();
    });
  });
});
