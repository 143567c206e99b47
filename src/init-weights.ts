/**
 * Seeded weight initialisation, uniform so that C++ and TS could reproduce it
 * bit for bit (no transcendental functions on the random path).
 * - ReLU-family layers: He/Kaiming uniform, limit √(6 / fan_in), which keeps
 *   the activations' variance constant through layers that zero half their inputs.
 * - Everything else: Glorot/Xavier uniform, limit √(6 / (fan_in + fan_out)).
 * Biases start at zero.
 */
import { Activation, type ActivationCode } from './backend/backend.js';
import type { Rng } from './rng.js';

/** Fills w (fanOut, fanIn) for a layer followed by `act`. */
export function initWeights(w: Float32Array, fanIn: number, fanOut: number, act: ActivationCode, rng: Rng): void {
  const reluLike = act === Activation.relu || act === Activation.leakyRelu;
  const limit = Math.sqrt(6 / (reluLike ? fanIn : fanIn + fanOut));
  for (let i = 0; i < w.length; i++) w[i] = (2 * rng.uniform() - 1) * limit;
}
