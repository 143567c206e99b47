/**
 * Argument validation: a table of bad inputs per method, each with exactly
 * one defect, asserting the error class AND the exact message. Every backend
 * checks its arguments in one place (src/backend/checked.ts, with the rules
 * of validate.ts), so the table runs once, against the backend the public
 * API uses in this run (CI runs it with each). Which check wins when an
 * input has several defects is not part of the contract, so no row here has
 * more than one. What the raw addon does with bad input is
 * test/native/raw-addon.test.ts's concern.
 */
import { describe, expect, it } from 'vitest';
import { defaultLossParams, Loss, type Backend } from '../../src/backend/backend.js';
import { getBackend } from '../../src/backend/select.js';
import { plainTraining } from '../helpers/reference.js';

const f32 = (n: number): Float32Array => new Float32Array(n);
/** A Float32Array whose buffer was transferred away: it now reads as length 0. */
function detached(n: number): Float32Array {
  const a = new Float32Array(n);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}
const SIZE = '[0, 2147483647]';

type Method = Exclude<keyof Backend, 'name'>;
interface Row {
  method: Method;
  label: string;
  args: () => unknown[];
  cls: typeof TypeError | typeof RangeError;
  msg: string;
}
const rows: Row[] = [];

/** Adds rows that replace argument `i` of `valid()` by each value (or drop it
 * when `missing`, which is only used for the last argument). */
function bad(method: Method, valid: () => unknown[], i: number, cases: [string, unknown, typeof TypeError | typeof RangeError, string][]): void {
  for (const [label, value, cls, msg] of cases) {
    rows.push({
      method,
      label,
      cls,
      msg,
      args: () => {
        const a = valid();
        if (value === MISSING) a.length = i;
        else a[i] = typeof value === 'function' && (value as { lazy?: boolean }).lazy ? (value as () => unknown)() : value;
        return a;
      },
    });
  }
}
const MISSING = Symbol('missing');
/** Builds a fresh value per row (buffers that the row would otherwise share). */
function lazy(make: () => unknown): () => unknown {
  return Object.assign(make, { lazy: true });
}

/** The usual defects of a Float32Array argument `name` expecting `len` values for `shape`. */
function bufferCases(fn: string, name: string, len: number, shape: string): [string, unknown, typeof TypeError | typeof RangeError, string][] {
  const type = `${fn}: ${name} must be a Float32Array`;
  const size = (got: number): string => `${fn}: ${name} must have length ${len} for shape ${shape}, got ${got}`;
  return [
    [`${name} undefined`, undefined, TypeError, type],
    [`${name} plain array`, lazy(() => new Array(len).fill(0)), TypeError, type],
    [`${name} Float64Array`, lazy(() => new Float64Array(len)), TypeError, type],
    [`${name} short`, lazy(() => f32(len - 1)), RangeError, size(len - 1)],
    [`${name} long`, lazy(() => f32(len + 1)), RangeError, size(len + 1)],
  ];
}

/** The usual defects of a size argument. */
function sizeCases(fn: string, name: string, lastArg = false): [string, unknown, typeof TypeError | typeof RangeError, string][] {
  const range = (got: string): string => `${fn}: ${name} must be an integer in ${SIZE}, got ${got}`;
  const type = `${fn}: ${name} must be a number`;
  return [
    [`${name} missing`, lastArg ? MISSING : undefined, TypeError, type],
    [`${name} string`, '2', TypeError, type],
    [`${name} negative`, -1, RangeError, range('-1')],
    [`${name} fractional`, 1.5, RangeError, range('1.5')],
    [`${name} NaN`, NaN, RangeError, range('NaN')],
    [`${name} 2^31`, 2 ** 31, RangeError, range('2147483648')],
  ];
}

function finiteCases(fn: string, name: string, lastArg = false): [string, unknown, typeof TypeError | typeof RangeError, string][] {
  return [
    [`${name} missing`, lastArg ? MISSING : undefined, TypeError, `${fn}: ${name} must be a number`],
    [`${name} string`, '0.1', TypeError, `${fn}: ${name} must be a number`],
    [`${name} NaN`, NaN, RangeError, `${fn}: ${name} must be finite, got NaN`],
    [`${name} -Infinity`, -Infinity, RangeError, `${fn}: ${name} must be finite, got -Infinity`],
  ];
}

function codeCases(fn: string, name: string, count: number): [string, unknown, typeof TypeError | typeof RangeError, string][] {
  const range = (got: string): string => `${fn}: ${name} must be an integer in [0, ${count - 1}], got ${got}`;
  return [
    [`${name} undefined`, undefined, TypeError, `${fn}: ${name} must be a number`],
    [`${name} = count`, count, RangeError, range(String(count))],
    [`${name} negative`, -1, RangeError, range('-1')],
    [`${name} fractional`, 1.5, RangeError, range('1.5')],
  ];
}

// --- kernels -----------------------------------------------------------------
{
  // m = 2, n = 3, k = 4
  const gemm =
    (tA = false, tB = false) =>
    (): unknown[] => [f32(6), f32(8), f32(12), 2, 3, 4, tA, tB, 1, 0];
  bad('gemm', gemm(), 0, bufferCases('gemm', 'c', 6, '(2, 3)'));
  bad('gemm', gemm(), 0, [['c detached', lazy(() => detached(6)), RangeError, 'gemm: c must have length 6 for shape (2, 3), got 0']]);
  bad('gemm', gemm(), 1, bufferCases('gemm', 'a', 8, '(2, 4)'));
  bad('gemm', gemm(true), 1, [['a short, transA', f32(7), RangeError, 'gemm: a must have length 8 for shape (4, 2), got 7']]);
  bad('gemm', gemm(), 2, bufferCases('gemm', 'b', 12, '(4, 3)'));
  bad('gemm', gemm(false, true), 2, [['b short, transB', f32(11), RangeError, 'gemm: b must have length 12 for shape (3, 4), got 11']]);
  bad('gemm', gemm(), 3, sizeCases('gemm', 'm'));
  bad('gemm', gemm(), 4, sizeCases('gemm', 'n'));
  bad('gemm', gemm(), 5, sizeCases('gemm', 'k'));
  for (const [i, name] of [
    [6, 'transA'],
    [7, 'transB'],
  ] as const) {
    bad('gemm', gemm(), i, [
      [`${name} 0`, 0, TypeError, `gemm: ${name} must be a boolean`],
      [`${name} 1`, 1, TypeError, `gemm: ${name} must be a boolean`],
      [`${name} 'true'`, 'true', TypeError, `gemm: ${name} must be a boolean`],
      [`${name} undefined`, undefined, TypeError, `gemm: ${name} must be a boolean`],
      [`${name} null`, null, TypeError, `gemm: ${name} must be a boolean`],
    ]);
  }
  bad('gemm', gemm(), 8, finiteCases('gemm', 'alpha'));
  bad('gemm', gemm(), 9, finiteCases('gemm', 'beta', true));

  const biasAdd = (): unknown[] => [f32(6), f32(3), 2, 3];
  bad('biasAdd', biasAdd, 0, bufferCases('biasAdd', 'out', 6, '(2, 3)'));
  bad('biasAdd', biasAdd, 1, bufferCases('biasAdd', 'bias', 3, '(3)'));
  bad('biasAdd', biasAdd, 2, sizeCases('biasAdd', 'rows'));
  bad('biasAdd', biasAdd, 3, sizeCases('biasAdd', 'cols', true));

  const colSum = (): unknown[] => [f32(3), f32(6), 2, 3];
  bad('colSum', colSum, 0, bufferCases('colSum', 'out', 3, '(3)'));
  bad('colSum', colSum, 1, bufferCases('colSum', 'inp', 6, '(2, 3)'));
  bad('colSum', colSum, 2, sizeCases('colSum', 'rows'));
  bad('colSum', colSum, 3, sizeCases('colSum', 'cols', true));

  const actF = (): unknown[] => [f32(4), f32(4), 4, 3, 0.01];
  bad('activationForward', actF, 0, bufferCases('activationForward', 'out', 4, '(4)'));
  bad('activationForward', actF, 1, bufferCases('activationForward', 'inp', 4, '(4)'));
  bad('activationForward', actF, 2, sizeCases('activationForward', 'n'));
  bad('activationForward', actF, 3, codeCases('activationForward', 'act', 5));
  bad('activationForward', actF, 4, finiteCases('activationForward', 'leakySlope', true));

  const actB = (): unknown[] => [f32(4), f32(4), f32(4), 4, 1, 0.01];
  bad('activationBackward', actB, 0, bufferCases('activationBackward', 'dinp', 4, '(4)'));
  bad('activationBackward', actB, 1, bufferCases('activationBackward', 'dout', 4, '(4)'));
  bad('activationBackward', actB, 2, bufferCases('activationBackward', 'out', 4, '(4)'));
  bad('activationBackward', actB, 3, sizeCases('activationBackward', 'n'));
  bad('activationBackward', actB, 4, codeCases('activationBackward', 'act', 5));
  bad('activationBackward', actB, 5, finiteCases('activationBackward', 'leakySlope', true));

  const softmax = (): unknown[] => [f32(6), f32(6), 2, 3];
  bad('softmaxRows', softmax, 0, bufferCases('softmaxRows', 'out', 6, '(2, 3)'));
  bad('softmaxRows', softmax, 1, bufferCases('softmaxRows', 'inp', 6, '(2, 3)'));
  bad('softmaxRows', softmax, 2, sizeCases('softmaxRows', 'rows'));
  bad('softmaxRows', softmax, 3, sizeCases('softmaxRows', 'cols', true));

  const loss = (): unknown[] => [f32(6), f32(6), f32(6), 2, 3, 2, defaultLossParams()];
  const dlog = 'lossForwardBackward: dlogits must be a Float32Array or null';
  bad('lossForwardBackward', loss, 0, [
    ['dlogits undefined', undefined, TypeError, dlog],
    ['dlogits plain array', [0, 0, 0, 0, 0, 0], TypeError, dlog],
    ['dlogits Float64Array', new Float64Array(6), TypeError, dlog],
    ['dlogits short', f32(5), RangeError, 'lossForwardBackward: dlogits must have length 6 for shape (2, 3), got 5'],
    ['dlogits detached', lazy(() => detached(6)), RangeError, 'lossForwardBackward: dlogits must have length 6 for shape (2, 3), got 0'],
  ]);
  bad('lossForwardBackward', loss, 1, bufferCases('lossForwardBackward', 'logits', 6, '(2, 3)'));
  bad('lossForwardBackward', loss, 2, bufferCases('lossForwardBackward', 'target', 6, '(2, 3)'));
  bad('lossForwardBackward', loss, 3, sizeCases('lossForwardBackward', 'rows'));
  bad('lossForwardBackward', loss, 4, sizeCases('lossForwardBackward', 'cols'));
  bad('lossForwardBackward', loss, 5, codeCases('lossForwardBackward', 'loss', Object.keys(Loss).length));
  bad('lossForwardBackward', () => [f32(6), f32(6), f32(3), 2, 3, 5, defaultLossParams()], 4, [
    ['cols odd for gaussianNll', 3, RangeError, 'lossForwardBackward: cols must be even for the gaussianNll loss, got 3'],
  ]);
  bad('lossForwardBackward', () => [f32(8), f32(8), f32(4), 2, 4, 5, defaultLossParams()], 2, [
    ['target (rows, cols/2) for gaussianNll', f32(8), RangeError, 'lossForwardBackward: target must have length 4 for shape (2, 2), got 8'],
  ]);
  for (const [label, mutate, cls, msg] of lossParamCases('lossForwardBackward', 'params', 3)) {
    rows.push({
      method: 'lossForwardBackward',
      label,
      cls,
      msg,
      args: () => {
        const a = loss();
        a[6] = mutate(a[6] as Record<string, unknown>);
        return a;
      },
    });
  }

  const sgd = (): unknown[] => [f32(5), f32(5), 5, 0.1, 0];
  bad('sgdUpdate', sgd, 0, bufferCases('sgdUpdate', 'w', 5, '(5)'));
  bad('sgdUpdate', sgd, 1, bufferCases('sgdUpdate', 'g', 5, '(5)'));
  bad('sgdUpdate', sgd, 2, sizeCases('sgdUpdate', 'n'));
  bad('sgdUpdate', sgd, 3, finiteCases('sgdUpdate', 'lr'));
  bad('sgdUpdate', sgd, 4, finiteCases('sgdUpdate', 'weightDecay', true));

  // data has any length: only its kind can be wrong.
  const scan = (): unknown[] => [f32(4), 0, 1];
  bad(
    'firstOutside',
    scan,
    0,
    bufferCases('firstOutside', 'data', 4, '(4)').filter(([, , cls]) => cls === TypeError),
  );
  bad('firstOutside', scan, 1, finiteCases('firstOutside', 'min'));
  bad('firstOutside', scan, 2, finiteCases('firstOutside', 'max', true));
  bad('firstOutside', scan, 1, [['min above max', 2, RangeError, 'firstOutside: min must be at most max']]);

  // x (4, 3): out (3, 3), or (4, 4) with rows.
  const gram =
    (rows = false) =>
    (): unknown[] => [f32(rows ? 16 : 9), f32(3), f32(12), 4, 3, rows, 0.5, null];
  bad('centredGram', gram(), 0, bufferCases('centredGram', 'out', 9, '(3, 3)'));
  bad('centredGram', gram(true), 0, [['out (3, 3) with rows', f32(9), RangeError, 'centredGram: out must have length 16 for shape (4, 4), got 9']]);
  bad('centredGram', gram(), 1, bufferCases('centredGram', 'mean', 3, '(3)'));
  bad('centredGram', gram(), 2, bufferCases('centredGram', 'x', 12, '(4, 3)'));
  bad('centredGram', gram(), 3, sizeCases('centredGram', 'n'));
  bad('centredGram', gram(), 4, sizeCases('centredGram', 'd'));
  bad('centredGram', gram(), 5, [
    ['rows 1', 1, TypeError, 'centredGram: rows must be a boolean'],
    ['rows undefined', undefined, TypeError, 'centredGram: rows must be a boolean'],
  ]);
  bad('centredGram', gram(), 6, finiteCases('centredGram', 'alpha'));
  bad('centredGram', gram(), 7, progressCases('centredGram'));
  bad('centredGram', gram(), 8, signalCases('centredGram'));

  // a (4, 4), k = 2: values (2), vectors (2, 4).
  const eig = (): unknown[] => [new Float64Array(2), f32(8), f32(16), 4, 2, null];
  bad('symmetricEigen', eig, 0, [
    ['values Float32Array', lazy(() => f32(2)), TypeError, 'symmetricEigen: values must be a Float64Array'],
    ['values undefined', undefined, TypeError, 'symmetricEigen: values must be a Float64Array'],
    ['values short', lazy(() => new Float64Array(1)), RangeError, 'symmetricEigen: values must have length 2 for shape (2), got 1'],
  ]);
  bad('symmetricEigen', eig, 1, bufferCases('symmetricEigen', 'vectors', 8, '(2, 4)'));
  bad('symmetricEigen', eig, 2, bufferCases('symmetricEigen', 'a', 16, '(4, 4)'));
  bad('symmetricEigen', eig, 3, sizeCases('symmetricEigen', 'm'));
  bad('symmetricEigen', eig, 4, [
    ['k undefined', undefined, TypeError, 'symmetricEigen: k must be a number'],
    ['k above m', 5, RangeError, 'symmetricEigen: k must be an integer in [0, 4], got 5'],
    ['k negative', -1, RangeError, 'symmetricEigen: k must be an integer in [0, 4], got -1'],
    ['k fractional', 1.5, RangeError, 'symmetricEigen: k must be an integer in [0, 4], got 1.5'],
    ['k NaN', NaN, RangeError, 'symmetricEigen: k must be an integer in [0, 4], got NaN'],
  ]);
  bad('symmetricEigen', eig, 5, progressCases('symmetricEigen'));
  bad('symmetricEigen', eig, 6, signalCases('symmetricEigen'));
}

/** The defects of a long job's onProgress argument: a function or null. */
function progressCases(fn: string): [string, unknown, typeof TypeError | typeof RangeError, string][] {
  const msg = `${fn}: onProgress must be a function or null`;
  return [
    ['onProgress undefined', undefined, TypeError, msg],
    ['onProgress string', 'log', TypeError, msg],
    ['onProgress object', {}, TypeError, msg],
  ];
}

/** The defects of a long job's signal argument: absent or an AbortSignal. */
function signalCases(fn: string): [string, unknown, typeof TypeError | typeof RangeError, string][] {
  const msg = `${fn}: signal must be an AbortSignal`;
  return [
    ['signal null', null, TypeError, msg],
    ['signal AbortController', lazy(() => new AbortController()), TypeError, msg],
  ];
}

/** Defects of a LossParams at path `p` for `cols` outputs, each as a mutation of a valid one. */
function lossParamCases(
  fn: string,
  p: string,
  cols: number,
): [string, (lp: Record<string, unknown>) => unknown, typeof TypeError | typeof RangeError, string][] {
  const set = (key: string, v: unknown) => (lp: Record<string, unknown>) => ({ ...lp, [key]: v });
  const range = (key: string, interval: string, got: string) => `${fn}: ${p}.${key} must be a number in ${interval}, got ${got}`;
  return [
    [`${p} undefined`, () => undefined, TypeError, `${fn}: ${p} must be an object`],
    [`${p} null`, () => null, TypeError, `${fn}: ${p} must be an object`],
    [`${p}.delta missing`, set('delta', undefined), TypeError, `${fn}: ${p}.delta must be a number`],
    [`${p}.delta 0`, set('delta', 0), RangeError, range('delta', '(0, Infinity)', '0')],
    [`${p}.delta Infinity`, set('delta', Infinity), RangeError, range('delta', '(0, Infinity)', 'Infinity')],
    [`${p}.gamma negative`, set('gamma', -1), RangeError, range('gamma', '[0, Infinity)', '-1')],
    [`${p}.gamma NaN`, set('gamma', NaN), RangeError, range('gamma', '[0, Infinity)', 'NaN')],
    [`${p}.alpha 1.5`, set('alpha', 1.5), RangeError, range('alpha', '[0, 1]', '1.5')],
    [`${p}.alpha string`, set('alpha', '0.5'), TypeError, `${fn}: ${p}.alpha must be a number`],
    [`${p}.smoothing 1`, set('smoothing', 1), RangeError, range('smoothing', '[0, 1)', '1')],
    [`${p}.classWeights missing`, set('classWeights', undefined), TypeError, `${fn}: ${p}.classWeights must be a Float32Array`],
    [`${p}.classWeights array`, set('classWeights', [1, 1, 1]), TypeError, `${fn}: ${p}.classWeights must be a Float32Array`],
    [
      `${p}.classWeights wrong length`,
      set('classWeights', f32(cols + 1)),
      RangeError,
      `${fn}: ${p}.classWeights must have length 0 or ${cols}, got ${cols + 1}`,
    ],
    [
      `${p}.classWeights negative`,
      set(
        'classWeights',
        Float32Array.from({ length: cols }, (_, j) => (j === 1 ? -1 : 1)),
      ),
      RangeError,
      range('classWeights[1]', '[0, Infinity)', '-1'),
    ],
    [
      `${p}.classWeights NaN`,
      set(
        'classWeights',
        Float32Array.from({ length: cols }, (_, j) => (j === 0 ? NaN : 1)),
      ),
      RangeError,
      range('classWeights[0]', '[0, Infinity)', 'NaN'),
    ],
  ];
}

// --- networks ----------------------------------------------------------------
/** sizes [3, 4, 2], one relu hidden layer, softmax CE. params: W0 (4,3), b0 (4), W1 (2,4), b1 (2). */
function validNet(): Record<string, unknown> {
  return {
    sizes: Int32Array.of(3, 4, 2),
    hiddenActivations: Int32Array.of(3),
    leakySlope: 0.01,
    loss: 2,
    lossParams: defaultLossParams(),
    params: [f32(12), f32(4), f32(8), f32(2)],
  };
}

/** Defects of a NetworkSpec, each as a mutation of a valid one, with path `p`. */
function netCases(fn: string, p: string): [string, (net: Record<string, unknown>) => unknown, typeof TypeError | typeof RangeError, string][] {
  const set = (key: string, v: unknown) => (net: Record<string, unknown>) => ({ ...net, [key]: v });
  const without = (key: string) => (net: Record<string, unknown>) => {
    const copy = { ...net };
    delete copy[key];
    return copy;
  };
  const param = (i: number, v: unknown) => (net: Record<string, unknown>) => {
    const params = [...(net['params'] as unknown[])];
    params[i] = v;
    return { ...net, params };
  };
  return [
    [`${p} undefined`, () => undefined, TypeError, `${fn}: ${p} must be an object`],
    [`${p} null`, () => null, TypeError, `${fn}: ${p} must be an object`],
    [`${p} string`, () => 'net', TypeError, `${fn}: ${p} must be an object`],
    [`${p}.sizes missing`, without('sizes'), TypeError, `${fn}: ${p}.sizes must be an Int32Array`],
    [`${p}.sizes plain array`, set('sizes', [3, 4, 2]), TypeError, `${fn}: ${p}.sizes must be an Int32Array`],
    [`${p}.sizes Uint32Array`, set('sizes', Uint32Array.of(3, 4, 2)), TypeError, `${fn}: ${p}.sizes must be an Int32Array`],
    [`${p}.sizes one entry`, set('sizes', Int32Array.of(3)), RangeError, `${fn}: ${p}.sizes must have at least 2 entries, got 1`],
    [`${p}.sizes empty`, set('sizes', new Int32Array(0)), RangeError, `${fn}: ${p}.sizes must have at least 2 entries, got 0`],
    [`${p}.sizes zero width`, set('sizes', Int32Array.of(3, 0, 2)), RangeError, `${fn}: ${p}.sizes[1] must be an integer in [1, 2147483647], got 0`],
    [`${p}.sizes negative width`, set('sizes', Int32Array.of(3, 4, -2)), RangeError, `${fn}: ${p}.sizes[2] must be an integer in [1, 2147483647], got -2`],
    [`${p}.hiddenActivations missing`, without('hiddenActivations'), TypeError, `${fn}: ${p}.hiddenActivations must be an Int32Array`],
    [`${p}.hiddenActivations plain array`, set('hiddenActivations', [3]), TypeError, `${fn}: ${p}.hiddenActivations must be an Int32Array`],
    [
      `${p}.hiddenActivations too short`,
      set('hiddenActivations', new Int32Array(0)),
      RangeError,
      `${fn}: ${p}.hiddenActivations must have length 1 for shape (1), got 0`,
    ],
    [
      `${p}.hiddenActivations too long`,
      set('hiddenActivations', Int32Array.of(3, 3)),
      RangeError,
      `${fn}: ${p}.hiddenActivations must have length 1 for shape (1), got 2`,
    ],
    [
      `${p}.hiddenActivations bad code`,
      set('hiddenActivations', Int32Array.of(7)),
      RangeError,
      `${fn}: ${p}.hiddenActivations[0] must be an integer in [0, 4], got 7`,
    ],
    [
      `${p}.hiddenActivations negative code`,
      set('hiddenActivations', Int32Array.of(-1)),
      RangeError,
      `${fn}: ${p}.hiddenActivations[0] must be an integer in [0, 4], got -1`,
    ],
    [`${p}.leakySlope missing`, without('leakySlope'), TypeError, `${fn}: ${p}.leakySlope must be a number`],
    [`${p}.leakySlope NaN`, set('leakySlope', NaN), RangeError, `${fn}: ${p}.leakySlope must be finite, got NaN`],
    [`${p}.loss missing`, without('loss'), TypeError, `${fn}: ${p}.loss must be a number`],
    [`${p}.loss string`, set('loss', 'mse'), TypeError, `${fn}: ${p}.loss must be a number`],
    [`${p}.loss 11`, set('loss', 11), RangeError, `${fn}: ${p}.loss must be an integer in [0, 10], got 11`],
    [`${p}.loss fractional`, set('loss', 0.5), RangeError, `${fn}: ${p}.loss must be an integer in [0, 10], got 0.5`],
    // sizes [3, 4, 2] end in 2 outputs; 3 is odd.
    [
      `${p} gaussianNll with an odd output width`,
      (net) => ({ ...net, loss: 5, sizes: Int32Array.of(3, 4, 3), params: [f32(12), f32(4), f32(12), f32(3)] }),
      RangeError,
      `${fn}: ${p}.sizes[2] must be even for the gaussianNll loss, got 3`,
    ],
    ...lossParamCases(fn, `${p}.lossParams`, 2).map(
      ([label, mutate, cls, msg]) =>
        [label, (net: Record<string, unknown>) => ({ ...net, lossParams: mutate(net['lossParams'] as Record<string, unknown>) }), cls, msg] as const,
    ),
    // Autoencoder terms: sparsity on a sigmoid hidden layer, tied (e, d) layer pairs.
    [`${p}.sparsity string`, set('sparsity', 'kl'), TypeError, `${fn}: ${p}.sparsity must be an object or null`],
    [
      `${p}.sparsity on no hidden layer`,
      (net) => ({
        ...net,
        sizes: Int32Array.of(3, 2),
        hiddenActivations: new Int32Array(0),
        params: [f32(6), f32(2)],
        sparsity: { layer: 0, rho: 0.1, beta: 1 },
      }),
      RangeError,
      `${fn}: ${p}.sparsity needs a hidden layer, the network has none`,
    ],
    [`${p}.sparsity.layer 1`, set('sparsity', { layer: 1, rho: 0.1, beta: 1 }), RangeError, `${fn}: ${p}.sparsity.layer must be an integer in [0, 0], got 1`],
    [
      `${p}.sparsity on a relu layer`,
      set('sparsity', { layer: 0, rho: 0.1, beta: 1 }),
      RangeError,
      `${fn}: ${p}.sparsity.layer 0 must have the sigmoid activation, got code 3`,
    ],
    [
      `${p}.sparsity.rho 1`,
      (net) => ({ ...net, hiddenActivations: Int32Array.of(1), sparsity: { layer: 0, rho: 1, beta: 1 } }),
      RangeError,
      `${fn}: ${p}.sparsity.rho must be a number in (0, 1), got 1`,
    ],
    [
      `${p}.sparsity.beta missing`,
      (net) => ({ ...net, hiddenActivations: Int32Array.of(1), sparsity: { layer: 0, rho: 0.1 } }),
      TypeError,
      `${fn}: ${p}.sparsity.beta must be a number`,
    ],
    [`${p}.tiedPairs plain array`, set('tiedPairs', [0, 1]), TypeError, `${fn}: ${p}.tiedPairs must be an Int32Array`],
    [`${p}.tiedPairs odd length`, set('tiedPairs', Int32Array.of(0)), RangeError, `${fn}: ${p}.tiedPairs must have an even length (layer pairs), got 1`],
    [`${p}.tiedPairs[1] out of range`, set('tiedPairs', Int32Array.of(0, 2)), RangeError, `${fn}: ${p}.tiedPairs[1] must be an integer in [0, 1], got 2`],
    [
      `${p}.tiedPairs shapes not transposed`,
      set('tiedPairs', Int32Array.of(0, 1)),
      RangeError,
      `${fn}: ${p}.tiedPairs[1] layer 1 must differ from layer 0 and have its transposed shape (3, 4)`,
    ],
    // Frozen layers: one 0/1 flag per layer; tied pairs frozen together.
    [`${p}.frozen plain array`, set('frozen', [0, 1]), TypeError, `${fn}: ${p}.frozen must be a Uint8Array`],
    [`${p}.frozen too short`, set('frozen', Uint8Array.of(1)), RangeError, `${fn}: ${p}.frozen must have length 2 for shape (2), got 1`],
    [`${p}.frozen flag 2`, set('frozen', Uint8Array.of(0, 2)), RangeError, `${fn}: ${p}.frozen[1] must be 0 or 1, got 2`],
    [
      `${p}.frozen splits a tied pair`,
      (net) => ({
        ...net,
        sizes: Int32Array.of(3, 4, 3),
        params: [f32(12), f32(4), f32(12), f32(3)],
        tiedPairs: Int32Array.of(0, 1),
        frozen: Uint8Array.of(1, 0),
      }),
      RangeError,
      `${fn}: ${p}.frozen must freeze tied layers 0 and 1 together`,
    ],
    // Dropout: one rate in [0, 1) per hidden layer.
    [`${p}.dropout plain array`, set('dropout', [0.5]), TypeError, `${fn}: ${p}.dropout must be a Float64Array`],
    [`${p}.dropout too long`, set('dropout', Float64Array.of(0.1, 0.1)), RangeError, `${fn}: ${p}.dropout must have length 1 for shape (1), got 2`],
    [`${p}.dropout rate 1`, set('dropout', Float64Array.of(1)), RangeError, `${fn}: ${p}.dropout[0] must be a number in [0, 1), got 1`],
    [`${p}.dropout rate NaN`, set('dropout', Float64Array.of(NaN)), RangeError, `${fn}: ${p}.dropout[0] must be a number in [0, 1), got NaN`],
    // Normalisation: one code per hidden layer; a normalised layer's bias holds [γ, β] (layer) or [γ, β, mean, var] (batch).
    [`${p}.norm plain array`, set('norm', [1]), TypeError, `${fn}: ${p}.norm must be a Uint8Array`],
    [`${p}.norm too long`, set('norm', Uint8Array.of(1, 0)), RangeError, `${fn}: ${p}.norm must have length 1 for shape (1), got 2`],
    [`${p}.norm code 3`, set('norm', Uint8Array.of(3)), RangeError, `${fn}: ${p}.norm[0] must be an integer in [0, 2], got 3`],
    [
      `${p}.norm batch with a layer-norm bias`,
      (net) => ({ ...net, norm: Uint8Array.of(2), params: [f32(12), f32(8), f32(8), f32(2)] }),
      RangeError,
      `${fn}: ${p}.params[1] must have length 16 for shape (16), got 8`,
    ],
    [`${p}.norm with a plain bias`, set('norm', Uint8Array.of(1)), RangeError, `${fn}: ${p}.params[1] must have length 8 for shape (8), got 4`],
    [`${p}.params missing`, without('params'), TypeError, `${fn}: ${p}.params must be an array`],
    [`${p}.params a Float32Array`, set('params', f32(26)), TypeError, `${fn}: ${p}.params must be an array`],
    [`${p}.params too few`, set('params', [f32(12), f32(4), f32(8)]), RangeError, `${fn}: ${p}.params must be an array of 4 Float32Arrays, got 3`],
    [
      `${p}.params too many`,
      set('params', [f32(12), f32(4), f32(8), f32(2), f32(2)]),
      RangeError,
      `${fn}: ${p}.params must be an array of 4 Float32Arrays, got 5`,
    ],
    [`${p}.params[0] short`, param(0, f32(11)), RangeError, `${fn}: ${p}.params[0] must have length 12 for shape (4, 3), got 11`],
    [`${p}.params[1] Float64Array`, param(1, new Float64Array(4)), TypeError, `${fn}: ${p}.params[1] must be a Float32Array`],
    [`${p}.params[2] transposed length ok but short`, param(2, f32(7)), RangeError, `${fn}: ${p}.params[2] must have length 8 for shape (2, 4), got 7`],
    [`${p}.params[3] long`, param(3, f32(3)), RangeError, `${fn}: ${p}.params[3] must have length 2 for shape (2), got 3`],
    [`${p}.params[3] null`, param(3, null), TypeError, `${fn}: ${p}.params[3] must be a Float32Array`],
    [`${p}.params[0] detached`, (net) => param(0, detached(12))(net), RangeError, `${fn}: ${p}.params[0] must have length 12 for shape (4, 3), got 0`],
  ];
}

{
  // forward(out, net, x, n) with n = 5: out (5, 2), x (5, 3).
  const forward = (): unknown[] => [f32(10), validNet(), f32(15), 5];
  bad('forward', forward, 0, bufferCases('forward', 'out', 10, '(5, 2)'));
  for (const [label, mutate, cls, msg] of netCases('forward', 'net')) {
    rows.push({
      method: 'forward',
      label,
      cls,
      msg,
      args: () => {
        const a = forward();
        a[1] = mutate(a[1] as Record<string, unknown>);
        return a;
      },
    });
  }
  bad('forward', forward, 2, bufferCases('forward', 'x', 15, '(5, 3)'));
  bad('forward', forward, 3, sizeCases('forward', 'n', true));

  // forwardLoss(out, net, x, y, n) with n = 5: out (5, 2), x (5, 3), y (5, 2).
  const forwardLoss = (): unknown[] => [f32(10), validNet(), f32(15), f32(10), 5];
  for (const [label, mutate, cls, msg] of netCases('forwardLoss', 'net')) {
    rows.push({
      method: 'forwardLoss',
      label,
      cls,
      msg,
      args: () => {
        const a = forwardLoss();
        a[1] = mutate(a[1] as Record<string, unknown>);
        return a;
      },
    });
  }
  bad('forwardLoss', forwardLoss, 4, sizeCases('forwardLoss', 'n', true));
  bad('forwardLoss', forwardLoss, 0, bufferCases('forwardLoss', 'out', 10, '(5, 2)'));
  bad('forwardLoss', forwardLoss, 2, bufferCases('forwardLoss', 'x', 15, '(5, 3)'));
  bad('forwardLoss', forwardLoss, 3, bufferCases('forwardLoss', 'y', 10, '(5, 2)'));

  // optimizerStep(net, grads, optimizer, lr): the network of validNet (params 12, 4, 8, 2), momentum (one velocity each).
  const momentum = () => ({ ...plainTraining(0.1, 0).optimizer, type: 1, state: [f32(12), f32(4), f32(8), f32(2)] });
  const optimizerStep = (): unknown[] => [validNet(), [f32(12), f32(4), f32(8), f32(2)], momentum(), 0.1];
  for (const [label, mutate, cls, msg] of netCases('optimizerStep', 'net')) {
    rows.push({
      method: 'optimizerStep',
      label,
      cls,
      msg,
      args: () => {
        const a = optimizerStep();
        a[0] = mutate(a[0] as Record<string, unknown>);
        return a;
      },
    });
  }
  bad('optimizerStep', optimizerStep, 1, [
    ['grads a Float32Array', f32(26), TypeError, 'optimizerStep: grads must be an array'],
    ['grads too few', [f32(12), f32(4), f32(8)], RangeError, 'optimizerStep: grads must be an array of 4 Float32Arrays, got 3'],
    ['grads[1] short', [f32(12), f32(3), f32(8), f32(2)], RangeError, 'optimizerStep: grads[1] must have length 4 for shape (4), got 3'],
  ]);
  bad('optimizerStep', optimizerStep, 2, [
    ['optimizer null', null, TypeError, 'optimizerStep: optimizer must be an object'],
    ['optimizer.type 4', { ...momentum(), type: 4 }, RangeError, 'optimizerStep: optimizer.type must be an integer in [0, 3], got 4'],
    ['optimizer.eps 0', { ...momentum(), eps: 0 }, RangeError, 'optimizerStep: optimizer.eps must be a number in (0, Infinity), got 0'],
    ['optimizer.state too few', { ...momentum(), state: [f32(12)] }, RangeError, 'optimizerStep: optimizer.state must be an array of 4 Float32Arrays, got 1'],
    [
      'optimizer.state[2] short',
      { ...momentum(), state: [f32(12), f32(4), f32(7), f32(2)] },
      RangeError,
      'optimizerStep: optimizer.state[2] must have length 8 for shape (2, 4), got 7',
    ],
    ['optimizer.step plain array', { ...momentum(), step: [0] }, TypeError, 'optimizerStep: optimizer.step must be a Float64Array'],
  ]);
  bad('optimizerStep', optimizerStep, 3, [
    ['lr NaN', NaN, RangeError, 'optimizerStep: lr must be finite, got NaN'],
    ['lr string', '0.1', TypeError, 'optimizerStep: lr must be a number'],
  ]);

  // lossGradient(grads, net, x, y, n) with n = 5: x (5, 3), y (5, 2).
  const lossGradient = (): unknown[] => [[f32(12), f32(4), f32(8), f32(2)], validNet(), f32(15), f32(10), 5];
  bad('lossGradient', lossGradient, 0, [
    ['grads undefined', undefined, TypeError, 'lossGradient: grads must be an array'],
    ['grads a Float32Array', f32(26), TypeError, 'lossGradient: grads must be an array'],
    ['grads too few', [f32(12), f32(4), f32(8)], RangeError, 'lossGradient: grads must be an array of 4 Float32Arrays, got 3'],
    ['grads[1] short', [f32(12), f32(3), f32(8), f32(2)], RangeError, 'lossGradient: grads[1] must have length 4 for shape (4), got 3'],
    ['grads[2] Float64Array', [f32(12), f32(4), new Float64Array(8), f32(2)], TypeError, 'lossGradient: grads[2] must be a Float32Array'],
    ['grads[0] plain array', [new Array(12).fill(0), f32(4), f32(8), f32(2)], TypeError, 'lossGradient: grads[0] must be a Float32Array'],
  ]);
  for (const [label, mutate, cls, msg] of netCases('lossGradient', 'net')) {
    rows.push({
      method: 'lossGradient',
      label,
      cls,
      msg,
      args: () => {
        const a = lossGradient();
        a[1] = mutate(a[1] as Record<string, unknown>);
        return a;
      },
    });
  }
  bad('lossGradient', lossGradient, 2, bufferCases('lossGradient', 'x', 15, '(5, 3)'));
  bad('lossGradient', lossGradient, 3, bufferCases('lossGradient', 'y', 10, '(5, 2)'));
  bad('lossGradient', lossGradient, 4, sizeCases('lossGradient', 'n', true));

  // backward(grads, net, x, dOutput, n) with n = 5: x (5, 3), dOutput (5, 2).
  const backward = (): unknown[] => [[f32(12), f32(4), f32(8), f32(2)], validNet(), f32(15), f32(10), 5];
  bad('backward', backward, 0, [
    ['grads undefined', undefined, TypeError, 'backward: grads must be an array'],
    ['grads too few', [f32(12), f32(4), f32(8)], RangeError, 'backward: grads must be an array of 4 Float32Arrays, got 3'],
    ['grads[1] short', [f32(12), f32(3), f32(8), f32(2)], RangeError, 'backward: grads[1] must have length 4 for shape (4), got 3'],
  ]);
  for (const [label, mutate, cls, msg] of netCases('backward', 'net')) {
    rows.push({
      method: 'backward',
      label,
      cls,
      msg,
      args: () => {
        const a = backward();
        a[1] = mutate(a[1] as Record<string, unknown>);
        return a;
      },
    });
  }
  bad('backward', backward, 2, bufferCases('backward', 'x', 15, '(5, 3)'));
  bad('backward', backward, 3, bufferCases('backward', 'dOutput', 10, '(5, 2)'));
  bad('backward', backward, 4, sizeCases('backward', 'n', true));

  // trainEpoch(job) with n = 10: x (10, 3), y (10, 2).
  const job = (): Record<string, unknown> => ({
    net: validNet(),
    x: f32(30),
    y: f32(20),
    n: 10,
    order: Uint32Array.from({ length: 10 }, (_, i) => i),
    batchSize: 4,
    learningRate: 0.1,
    weightDecay: 0,
  });
  const jobRow = (label: string, mutate: (j: Record<string, unknown>) => unknown, cls: typeof TypeError, msg: string): void => {
    rows.push({ method: 'trainEpoch', label, cls, msg, args: () => [mutate(job())] });
  };
  const set = (key: string, v: unknown) => (j: Record<string, unknown>) => ({ ...j, [key]: v });
  const without = (key: string) => (j: Record<string, unknown>) => {
    const copy = { ...j };
    delete copy[key];
    return copy;
  };
  jobRow('job undefined', () => undefined, TypeError, 'trainEpoch: job must be an object');
  jobRow('job null', () => null, TypeError, 'trainEpoch: job must be an object');
  jobRow('job number', () => 1, TypeError, 'trainEpoch: job must be an object');
  for (const [label, mutate, cls, msg] of netCases('trainEpoch', 'job.net')) {
    jobRow(label, (j) => ({ ...j, net: mutate(j['net'] as Record<string, unknown>) }), cls, msg);
  }
  jobRow('job.n missing', without('n'), TypeError, 'trainEpoch: job.n must be a number');
  jobRow('job.n negative', set('n', -1), RangeError, `trainEpoch: job.n must be an integer in ${SIZE}, got -1`);
  jobRow('job.n fractional', set('n', 9.5), RangeError, `trainEpoch: job.n must be an integer in ${SIZE}, got 9.5`);
  for (const [label, v, cls, msg] of bufferCases('trainEpoch', 'job.x', 30, '(10, 3)')) {
    jobRow(label, (j) => ({ ...j, x: typeof v === 'function' ? v() : v }), cls, msg);
  }
  for (const [label, v, cls, msg] of bufferCases('trainEpoch', 'job.y', 20, '(10, 2)')) {
    jobRow(label, (j) => ({ ...j, y: typeof v === 'function' ? v() : v }), cls, msg);
  }
  const orderType = 'trainEpoch: job.order must be a Uint32Array';
  jobRow('job.order missing', without('order'), TypeError, orderType);
  jobRow('job.order plain array', set('order', [0, 1, 2]), TypeError, orderType);
  jobRow('job.order Int32Array', set('order', Int32Array.of(0, 1, 2)), TypeError, orderType);
  jobRow('job.order Float32Array', set('order', Float32Array.of(0, 1, 2)), TypeError, orderType);
  jobRow('job.order[5] out of range', set('order', Uint32Array.of(0, 1, 2, 3, 4, 12, 6)), RangeError, 'trainEpoch: job.order[5] must be below n (10), got 12');
  jobRow('job.order[0] = n', set('order', Uint32Array.of(10)), RangeError, 'trainEpoch: job.order[0] must be below n (10), got 10');
  jobRow(
    'job.order with n = 0',
    (j) => ({ ...j, n: 0, x: f32(0), y: f32(0), order: Uint32Array.of(0) }),
    RangeError,
    'trainEpoch: job.order[0] must be below n (0), got 0',
  );
  const batch = (got: string): string => `trainEpoch: job.batchSize must be an integer in [1, 2147483647], got ${got}`;
  jobRow('job.batchSize missing', without('batchSize'), TypeError, 'trainEpoch: job.batchSize must be a number');
  jobRow('job.batchSize string', set('batchSize', '4'), TypeError, 'trainEpoch: job.batchSize must be a number');
  jobRow('job.batchSize 0', set('batchSize', 0), RangeError, batch('0'));
  jobRow('job.batchSize negative', set('batchSize', -4), RangeError, batch('-4'));
  jobRow('job.batchSize fractional', set('batchSize', 2.5), RangeError, batch('2.5'));
  jobRow('job.batchSize NaN', set('batchSize', NaN), RangeError, batch('NaN'));
  jobRow('job.batchSize 2^31', set('batchSize', 2 ** 31), RangeError, batch('2147483648'));
  for (const key of ['learningRate', 'weightDecay']) {
    jobRow(`job.${key} missing`, without(key), TypeError, `trainEpoch: job.${key} must be a number`);
    jobRow(`job.${key} string`, set(key, '0.1'), TypeError, `trainEpoch: job.${key} must be a number`);
    jobRow(`job.${key} NaN`, set(key, NaN), RangeError, `trainEpoch: job.${key} must be finite, got NaN`);
    jobRow(`job.${key} Infinity`, set(key, Infinity), RangeError, `trainEpoch: job.${key} must be finite, got Infinity`);
  }
}

// train(job, onProgress) with n = 10: x (10, 3), y (10, 2), 2 epochs; validation 4 rows.
{
  const fitJob = (): Record<string, unknown> => ({
    net: validNet(),
    x: f32(30),
    y: f32(20),
    n: 10,
    ...plainTraining(0.1, 0),
    xVal: f32(12),
    yVal: f32(8),
    nVal: 4,
    epochs: 2,
    batchSize: 4,
    shuffle: true,
    rngState: Uint32Array.of(1, 2, 3, 4),
    skipNonFinite: false,
    progressEvery: 0,
    history: new Float64Array(12),
  });
  const fitRow = (label: string, mutate: (j: Record<string, unknown>) => unknown, cls: typeof TypeError, msg: string, ...onProgress: unknown[]): void => {
    rows.push({ method: 'train', label, cls, msg, args: () => [mutate(fitJob()), onProgress.length ? onProgress[0] : null] });
  };
  const set = (key: string, v: unknown) => (j: Record<string, unknown>) => ({ ...j, [key]: v });
  const without = (key: string) => (j: Record<string, unknown>) => {
    const copy = { ...j };
    delete copy[key];
    return copy;
  };
  /** Sets `key` of the nested object `part` (optimizer, schedule, earlyStopping). */
  const nested = (part: string, key: string, v: unknown) => (j: Record<string, unknown>) => ({ ...j, [part]: { ...(j[part] as object), [key]: v } });
  fitRow('job undefined', () => undefined, TypeError, 'train: job must be an object');
  fitRow('job null', () => null, TypeError, 'train: job must be an object');
  for (const [label, mutate, cls, msg] of netCases('train', 'job.net')) {
    fitRow(label, (j) => ({ ...j, net: mutate(j['net'] as Record<string, unknown>) }), cls, msg);
  }
  const intRange = (key: string, lo: number, got: string) => `train: job.${key} must be an integer in [${lo}, 2147483647], got ${got}`;
  fitRow('job.n missing', without('n'), TypeError, 'train: job.n must be a number');
  fitRow('job.n 0', (j) => ({ ...j, n: 0, x: f32(0), y: f32(0) }), RangeError, intRange('n', 1, '0'));
  fitRow('job.n fractional', set('n', 9.5), RangeError, intRange('n', 1, '9.5'));
  for (const [label, v, cls, msg] of bufferCases('train', 'job.x', 30, '(10, 3)')) {
    fitRow(label, (j) => ({ ...j, x: typeof v === 'function' ? v() : v }), cls, msg);
  }
  for (const [label, v, cls, msg] of bufferCases('train', 'job.y', 20, '(10, 2)')) {
    fitRow(label, (j) => ({ ...j, y: typeof v === 'function' ? v() : v }), cls, msg);
  }
  fitRow('job.nVal missing', without('nVal'), TypeError, 'train: job.nVal must be a number');
  fitRow('job.nVal negative', set('nVal', -1), RangeError, intRange('nVal', 0, '-1'));
  fitRow('job.xVal short', set('xVal', f32(11)), RangeError, 'train: job.xVal must have length 12 for shape (4, 3), got 11');
  fitRow('job.yVal Float64Array', set('yVal', new Float64Array(8)), TypeError, 'train: job.yVal must be a Float32Array');
  fitRow('job.epochs missing', without('epochs'), TypeError, 'train: job.epochs must be a number');
  fitRow('job.epochs negative', set('epochs', -1), RangeError, intRange('epochs', 0, '-1'));
  fitRow('job.batchSize 0', set('batchSize', 0), RangeError, intRange('batchSize', 1, '0'));
  fitRow('job.batchSize string', set('batchSize', '4'), TypeError, 'train: job.batchSize must be a number');
  // A batch-normalised hidden layer ([γ, β, running mean, running variance]: a bias of 16) on batches of 1 row.
  const batchNormed = (j: Record<string, unknown>) => ({
    ...j,
    net: { ...(j['net'] as object), norm: Uint8Array.of(2), params: [f32(12), f32(16), f32(8), f32(2)] },
  });
  const oneRow = (b: number, n: number) =>
    `train: job.batchSize ${b} leaves a batch of 1 row of job.n ${n}; job.net.norm[0] (batch normalisation, not frozen) needs at least 2 rows per batch`;
  fitRow('job.batchSize 1 with batch normalisation', (j) => batchNormed({ ...j, batchSize: 1 }), RangeError, oneRow(1, 10));
  fitRow('a last batch of 1 row with batch normalisation', (j) => batchNormed({ ...j, n: 9, x: f32(27), y: f32(18) }), RangeError, oneRow(4, 9));
  fitRow('job.n 1 with batch normalisation', (j) => batchNormed({ ...j, n: 1, x: f32(3), y: f32(2) }), RangeError, oneRow(4, 1));
  // job.world: the processes of a data-parallel run (rank, size, allreduceSum, communicator).
  const world = (w: Record<string, unknown>) => set('world', { rank: 0, size: 2, allreduceSum: async () => {}, communicator: () => null, ...w });
  fitRow('job.world number', set('world', 2), TypeError, 'train: job.world must be an object');
  fitRow('job.world.size 0', world({ size: 0 }), RangeError, intRange('world.size', 1, '0'));
  fitRow('job.world.rank of size 2', world({ rank: 2 }), RangeError, 'train: job.world.rank must be an integer in [0, 1], got 2');
  fitRow('job.world.allreduceSum missing', world({ allreduceSum: undefined }), TypeError, 'train: job.world.allreduceSum must be a function');
  // 10 rows in global batches of 2 × 4: the last batch's 2 rows are shares of 1.
  fitRow(
    "a rank's share of 1 row with batch normalisation",
    (j) => batchNormed(world({})(j)),
    RangeError,
    'train: job.batchSize 4 leaves a batch of 1 row of job.n 10 on one of the job.world.size 2 ranks; job.net.norm[0] (batch normalisation, not frozen) needs at least 2 rows per batch',
  );
  fitRow(
    'job.resume.partial past the global batches of 2 ranks',
    (j) => world({})(resume({ partial: Float64Array.of(2, 0, 0, 4, 0, 0.1, 1, 2, 3, 4) })(j)),
    RangeError,
    'train: job.resume.partial[0] must be an integer in [1, 1], got 2',
  );
  fitRow('job.shuffle missing', without('shuffle'), TypeError, 'train: job.shuffle must be a boolean');
  fitRow('job.shuffle 1', set('shuffle', 1), TypeError, 'train: job.shuffle must be a boolean');
  fitRow('job.rngState missing', without('rngState'), TypeError, 'train: job.rngState must be a Uint32Array');
  fitRow('job.rngState Int32Array', set('rngState', Int32Array.of(1, 2, 3, 4)), TypeError, 'train: job.rngState must be a Uint32Array');
  fitRow('job.rngState short', set('rngState', Uint32Array.of(1, 2, 3)), RangeError, 'train: job.rngState must have length 4 for shape (4), got 3');
  fitRow('job.rngState zero', set('rngState', new Uint32Array(4)), RangeError, 'train: job.rngState must not be all zero');
  fitRow('job.inputNoise number', set('inputNoise', 0.2), TypeError, 'train: job.inputNoise must be an object or null');
  fitRow('job.inputNoise.type 3', set('inputNoise', { type: 3, level: 0.2 }), RangeError, 'train: job.inputNoise.type must be an integer in [0, 2], got 3');
  fitRow('job.inputNoise mask level 1', set('inputNoise', { type: 1, level: 1 }), RangeError, 'train: job.inputNoise.level must be a number in [0, 1), got 1');
  fitRow(
    'job.inputNoise gaussian level -1',
    set('inputNoise', { type: 2, level: -1 }),
    RangeError,
    'train: job.inputNoise.level must be a number in [0, Infinity), got -1',
  );
  fitRow('job.inputNoise.level missing', set('inputNoise', { type: 2 }), TypeError, 'train: job.inputNoise.level must be a number');
  // job.resume (sizes [3, 4, 2]: params of 12, 4, 8, 2)
  const rs = 'train: job.resume';
  const resume = (r: Record<string, unknown>) => set('resume', { epoch: 3, step: 9, bestEpoch: 2, best: 0.5, bestParams: [], ...r });
  fitRow('job.resume number', set('resume', 1), TypeError, `${rs} must be an object or null`);
  fitRow('job.resume.epoch -1', resume({ epoch: -1 }), RangeError, `${rs}.epoch must be an integer in ${SIZE}, got -1`);
  fitRow('job.resume.step missing', resume({ step: undefined }), TypeError, `${rs}.step must be a number`);
  fitRow('job.resume.bestEpoch after epoch', resume({ bestEpoch: 4 }), RangeError, `${rs}.bestEpoch must be an integer in [0, 3], got 4`);
  fitRow('job.resume.best NaN', resume({ best: NaN }), RangeError, `${rs}.best must be finite, got NaN`);
  fitRow('job.resume.bestParams not an array', resume({ bestParams: f32(12) }), TypeError, `${rs}.bestParams must be an array`);
  fitRow('job.resume.bestParams 2 of 4', resume({ bestParams: [f32(12), f32(4)] }), RangeError, `${rs}.bestParams must be an array of 4 Float32Arrays, got 2`);
  fitRow(
    'job.resume.bestParams[3] wrong shape',
    resume({ bestParams: [f32(12), f32(4), f32(8), f32(3)] }),
    RangeError,
    `${rs}.bestParams[3] must have length 2 for shape (2), got 3`,
  );
  fitRow(
    'job.resume without the best weights restoreBest needs',
    (j) => resume({})({ ...j, earlyStopping: { monitor: 0, patience: 0, minDelta: 0, restoreBest: true } }),
    RangeError,
    `${rs}.bestParams must hold the best weights (4 Float32Arrays) when job.earlyStopping.restoreBest is true`,
  );
  // job.resume.partial (n 10, batchSize 4: 3 batches an epoch) and job.position
  const partial = (...p: number[]) => resume({ partial: Float64Array.of(...p) });
  const ps = `${rs}.partial`;
  fitRow('job.resume.partial array', resume({ partial: [1, 0, 0, 4, 0, 0.1, 1, 2, 3, 4] }), TypeError, `${ps} must be a Float64Array`);
  fitRow('job.resume.partial short', partial(1, 0, 0, 4, 0, 0.1, 1, 2, 3), RangeError, `${ps} must have length 10 for shape (10), got 9`);
  fitRow('job.resume.partial batch 0', partial(0, 0, 0, 4, 0, 0.1, 1, 2, 3, 4), RangeError, `${ps}[0] must be an integer in [1, 2], got 0`);
  fitRow('job.resume.partial batch at the epoch end', partial(3, 0, 0, 4, 0, 0.1, 1, 2, 3, 4), RangeError, `${ps}[0] must be an integer in [1, 2], got 3`);
  fitRow('job.resume.partial loss sum NaN', partial(1, NaN, 0, 4, 0, 0.1, 1, 2, 3, 4), RangeError, `${ps}[1] must be finite, got NaN`);
  fitRow('job.resume.partial metric Infinity', partial(1, 0, Infinity, 4, 0, 0.1, 1, 2, 3, 4), RangeError, `${ps}[2] must be finite, got Infinity`);
  fitRow('job.resume.partial applied 1.5', partial(1, 0, 0, 1.5, 0, 0.1, 1, 2, 3, 4), RangeError, `${ps}[3] must be an integer in ${SIZE}, got 1.5`);
  fitRow('job.resume.partial skipped above batch', partial(1, 0, 0, 0, 2, 0.1, 1, 2, 3, 4), RangeError, `${ps}[4] must be an integer in [0, 1], got 2`);
  fitRow('job.resume.partial lr NaN', partial(1, 0, 0, 4, 0, NaN, 1, 2, 3, 4), RangeError, `${ps}[5] must be finite, got NaN`);
  fitRow(
    'job.resume.partial state word 2^32',
    partial(1, 0, 0, 4, 0, 0.1, 1, 2 ** 32, 3, 4),
    RangeError,
    `${ps}[7] must be an integer in [0, 4294967295], got 4294967296`,
  );
  fitRow('job.resume.partial state zero', partial(1, 0, 0, 4, 0, 0.1, 0, 0, 0, 0), RangeError, `${ps}[6..9] (the generator state) must not be all zero`);
  fitRow('job.position Float32Array', set('position', f32(14)), TypeError, 'train: job.position must be a Float64Array');
  fitRow('job.position short', set('position', new Float64Array(13)), RangeError, 'train: job.position must have length 14 for shape (14), got 13');
  // job.optimizer
  const o = 'train: job.optimizer';
  fitRow('job.optimizer missing', without('optimizer'), TypeError, `${o} must be an object`);
  fitRow('job.optimizer.type 4', nested('optimizer', 'type', 4), RangeError, `${o}.type must be an integer in [0, 3], got 4`);
  fitRow('job.optimizer.type string', nested('optimizer', 'type', 'adam'), TypeError, `${o}.type must be a number`);
  fitRow(
    'job.optimizer.weightDecay negative',
    nested('optimizer', 'weightDecay', -0.1),
    RangeError,
    `${o}.weightDecay must be a number in [0, Infinity), got -0.1`,
  );
  fitRow('job.optimizer.momentum 1', nested('optimizer', 'momentum', 1), RangeError, `${o}.momentum must be a number in [0, 1), got 1`);
  fitRow('job.optimizer.nesterov 0', nested('optimizer', 'nesterov', 0), TypeError, `${o}.nesterov must be a boolean`);
  fitRow('job.optimizer.beta1 NaN', nested('optimizer', 'beta1', NaN), RangeError, `${o}.beta1 must be a number in [0, 1), got NaN`);
  fitRow('job.optimizer.beta2 missing', nested('optimizer', 'beta2', undefined), TypeError, `${o}.beta2 must be a number`);
  fitRow('job.optimizer.eps 0', nested('optimizer', 'eps', 0), RangeError, `${o}.eps must be a number in (0, Infinity), got 0`);
  fitRow('job.optimizer.clipNorm -1', nested('optimizer', 'clipNorm', -1), RangeError, `${o}.clipNorm must be a number in [0, Infinity), got -1`);
  fitRow('job.optimizer.state for sgd not empty', nested('optimizer', 'state', [f32(12)]), RangeError, `${o}.state must be an array of 0 Float32Arrays, got 1`);
  const adam = (state: unknown) => (j: Record<string, unknown>) => ({ ...j, optimizer: { ...(j['optimizer'] as object), type: 2, state } });
  const adamState = () => [f32(12), f32(4), f32(8), f32(2), f32(12), f32(4), f32(8), f32(2)];
  fitRow('job.optimizer.state adam too few', adam([f32(12), f32(4), f32(8), f32(2)]), RangeError, `${o}.state must be an array of 8 Float32Arrays, got 4`);
  fitRow('job.optimizer.state not an array', adam(f32(52)), TypeError, `${o}.state must be an array`);
  fitRow(
    'job.optimizer.state[5] wrong shape',
    adam(adamState().map((a, i) => (i === 5 ? f32(3) : a))),
    RangeError,
    `${o}.state[5] must have length 4 for shape (4), got 3`,
  );
  fitRow(
    'job.optimizer.state[6] Float64Array',
    adam(adamState().map((a, i) => (i === 6 ? new Float64Array(8) : a))),
    TypeError,
    `${o}.state[6] must be a Float32Array`,
  );
  fitRow('job.optimizer.step Float32Array', nested('optimizer', 'step', f32(1)), TypeError, `${o}.step must be a Float64Array`);
  fitRow('job.optimizer.step length 2', nested('optimizer', 'step', new Float64Array(2)), RangeError, `${o}.step must have length 1 for shape (1), got 2`);
  fitRow(
    'job.optimizer.step[0] fractional',
    nested('optimizer', 'step', Float64Array.of(1.5)),
    RangeError,
    `${o}.step[0] must be an integer in [0, 9007199254740991], got 1.5`,
  );
  // job.schedule
  const sc = 'train: job.schedule';
  fitRow('job.schedule null', set('schedule', null), TypeError, `${sc} must be an object`);
  fitRow('job.schedule.type 4', nested('schedule', 'type', 4), RangeError, `${sc}.type must be an integer in [0, 3], got 4`);
  fitRow('job.schedule.lr Infinity', nested('schedule', 'lr', Infinity), RangeError, `${sc}.lr must be finite, got Infinity`);
  fitRow('job.schedule.perStep string', nested('schedule', 'perStep', 'yes'), TypeError, `${sc}.perStep must be a boolean`);
  fitRow('job.schedule.stepSize 0', nested('schedule', 'stepSize', 0), RangeError, `${sc}.stepSize must be an integer in [1, 2147483647], got 0`);
  fitRow('job.schedule.gamma 0', nested('schedule', 'gamma', 0), RangeError, `${sc}.gamma must be a number in (0, Infinity), got 0`);
  fitRow('job.schedule.minLr NaN', nested('schedule', 'minLr', NaN), RangeError, `${sc}.minLr must be finite, got NaN`);
  fitRow('job.schedule.total 0', nested('schedule', 'total', 0), RangeError, `${sc}.total must be an integer in [1, 2147483647], got 0`);
  fitRow('job.schedule.warmup -1', nested('schedule', 'warmup', -1), RangeError, `${sc}.warmup must be an integer in ${SIZE}, got -1`);
  // job.metric and job.earlyStopping
  fitRow('job.metric 3', set('metric', 3), RangeError, 'train: job.metric must be an integer in [0, 2], got 3');
  fitRow(
    'job.metric with gaussianNll',
    (j) => ({
      ...j,
      metric: 1,
      y: f32(10),
      yVal: f32(4),
      net: { ...(j['net'] as object), loss: 5 },
    }),
    RangeError,
    'train: job.metric must be 0 for the gaussianNll loss, got 1',
  );
  const es = 'train: job.earlyStopping';
  fitRow('job.earlyStopping missing', without('earlyStopping'), TypeError, `${es} must be an object`);
  fitRow('job.earlyStopping.monitor 4', nested('earlyStopping', 'monitor', 4), RangeError, `${es}.monitor must be an integer in [0, 3], got 4`);
  fitRow('job.earlyStopping.patience 1.5', nested('earlyStopping', 'patience', 1.5), RangeError, `${es}.patience must be an integer in ${SIZE}, got 1.5`);
  fitRow('job.earlyStopping.minDelta -1', nested('earlyStopping', 'minDelta', -1), RangeError, `${es}.minDelta must be a number in [0, Infinity), got -1`);
  fitRow('job.earlyStopping.restoreBest 1', nested('earlyStopping', 'restoreBest', 1), TypeError, `${es}.restoreBest must be a boolean`);
  fitRow(
    'job.earlyStopping on valLoss without validation data',
    (j) => ({
      ...j,
      nVal: 0,
      xVal: f32(0),
      yVal: f32(0),
      earlyStopping: { monitor: 2, patience: 3, minDelta: 0, restoreBest: false },
    }),
    RangeError,
    `${es}.monitor 2 needs validation data (job.nVal ≥ 1)`,
  );
  fitRow(
    'job.earlyStopping on a metric without one',
    set('earlyStopping', { monitor: 1, patience: 0, minDelta: 0, restoreBest: true }),
    RangeError,
    `${es}.monitor 1 needs a metric (job.metric ≥ 1)`,
  );
  fitRow('job.skipNonFinite string', set('skipNonFinite', 'yes'), TypeError, 'train: job.skipNonFinite must be a boolean');
  fitRow('job.progressEvery negative', set('progressEvery', -1), RangeError, `train: job.progressEvery must be an integer in ${SIZE}, got -1`);
  fitRow('job.history Float32Array', set('history', f32(12)), TypeError, 'train: job.history must be a Float64Array');
  fitRow('job.history short', set('history', new Float64Array(11)), RangeError, 'train: job.history must have length 12 for shape (12), got 11');
  fitRow('onProgress undefined', (j) => j, TypeError, 'train: onProgress must be a function or null', undefined);
  fitRow('onProgress string', (j) => j, TypeError, 'train: onProgress must be a function or null', 'log');
}

// Valid calls of every method (the baseline each row departs from) must not throw.
const validCalls: [Method, () => unknown[]][] = [
  ['gemm', () => [f32(6), f32(8), f32(12), 2, 3, 4, true, true, 1, 0]],
  ['biasAdd', () => [f32(6), f32(3), 2, 3]],
  ['colSum', () => [f32(3), f32(6), 2, 3]],
  ['activationForward', () => [f32(4), f32(4), 4, 4, -0.5]],
  ['activationBackward', () => [f32(4), f32(4), f32(4), 4, 0, 0]],
  ['softmaxRows', () => [f32(6), f32(6), 2, 3]],
  ['lossForwardBackward', () => [null, f32(6), f32(6), 2, 3, 0, defaultLossParams()]],
  ['sgdUpdate', () => [f32(5), f32(5), 5, -0.1, 0]],
  ['firstOutside', () => [f32(4), -1, -1]],
  ['firstOutside', () => [f32(0), 0, 1]],
  ['centredGram', () => [f32(9), f32(3), f32(12), 4, 3, false, 0.5, null]],
  ['centredGram', () => [f32(16), f32(3), f32(12), 4, 3, true, 1, () => {}, new AbortController().signal]],
  ['centredGram', () => [f32(0), f32(0), f32(0), 0, 0, false, 1, null]],
  ['symmetricEigen', () => [new Float64Array(2), f32(8), f32(16), 4, 2, null]],
  ['symmetricEigen', () => [new Float64Array(0), f32(0), f32(0), 0, 0, () => {}]],
  ['forward', () => [f32(10), validNet(), f32(15), 5]],
  ['forwardLoss', () => [f32(10), validNet(), f32(15), f32(10), 5]],
  [
    'optimizerStep',
    () => [
      validNet(),
      [f32(12), f32(4), f32(8), f32(2)],
      { ...plainTraining(0.1, 0).optimizer, type: 2, clipNorm: 1, state: [f32(12), f32(4), f32(8), f32(2), f32(12), f32(4), f32(8), f32(2)] },
      0.1,
    ],
  ],
  ['lossGradient', () => [[f32(12), f32(4), f32(8), f32(2)], validNet(), f32(15), f32(10), 5]],
  ['trainEpoch', () => [{ net: validNet(), x: f32(30), y: f32(20), n: 10, order: Uint32Array.of(9, 0, 0), batchSize: 2, learningRate: 0.1, weightDecay: 0 }]],
  // Zero-size everything is valid.
  ['gemm', () => [f32(0), f32(0), f32(0), 0, 0, 0, false, false, 0, 0]],
  ['trainEpoch', () => [{ net: validNet(), x: f32(0), y: f32(0), n: 0, order: new Uint32Array(0), batchSize: 1, learningRate: 0, weightDecay: 0 }]],
  [
    'train',
    () => [
      {
        net: validNet(),
        x: f32(30),
        y: f32(20),
        n: 10,
        ...plainTraining(0.1, 0),
        epochs: 0,
        batchSize: 4,
        shuffle: false,
        rngState: Uint32Array.of(0, 0, 0, 1),
        skipNonFinite: true,
        progressEvery: 3,
        history: new Float64Array(0),
      },
      () => {},
    ],
  ],
  [
    'train',
    () => [
      {
        net: validNet(),
        x: f32(30),
        y: f32(20),
        n: 10,
        ...plainTraining(0.1, 0),
        epochs: 0,
        batchSize: 4,
        shuffle: false,
        rngState: Uint32Array.of(0, 0, 0, 1),
        skipNonFinite: true,
        progressEvery: 3,
        history: new Float64Array(0),
        resume: { epoch: 2, step: 7, bestEpoch: 1, best: 0.25, bestParams: [f32(12), f32(4), f32(8), f32(2)] },
      },
      () => {},
    ],
  ],
  [
    'train',
    () => [
      {
        net: validNet(),
        x: f32(30),
        y: f32(20),
        n: 10,
        ...plainTraining(0.1, 0),
        epochs: 0,
        batchSize: 4,
        shuffle: true,
        rngState: Uint32Array.of(0, 0, 0, 1),
        skipNonFinite: true,
        progressEvery: 3,
        history: new Float64Array(0),
        resume: { epoch: 2, step: 7, bestEpoch: 1, best: 0.25, bestParams: [], partial: Float64Array.of(2, 1.5, 0, 8, 0, 0.1, 0, 0, 0, 1) },
        position: new Float64Array(14),
      },
      () => {},
    ],
  ],
];

function call(be: Backend, method: Method, args: unknown[]): unknown {
  return (be[method] as (...a: unknown[]) => unknown).apply(be, args);
}

describe(`validation on ${getBackend().name}`, () => {
  const be: Backend = getBackend();
  it.each(validCalls)('valid %s call does not throw', (method, args) => {
    expect(() => call(be, method, args())).not.toThrow();
  });

  it.each(rows.map((r) => [`${r.method}: ${r.label}`, r] as const))('%s', (_label, row) => {
    let caught: unknown;
    try {
      call(be, row.method, row.args());
    } catch (err) {
      caught = err;
    }
    expect(caught, 'expected a throw').toBeDefined();
    expect((caught as Error).message).toBe(row.msg);
    expect((caught as Error).constructor).toBe(row.cls);
  });

  it('reads each field of an object argument once, before any check', () => {
    const net = validNet();
    const params = net['params'];
    let reads = 0;
    Object.defineProperty(net, 'params', {
      get: () => {
        reads++;
        return params;
      },
      enumerable: true,
    });
    be.forward(f32(10), net as never, f32(15), 5);
    expect(reads).toBe(1);
  });

  it('a rejected trainEpoch leaves the weights untouched', () => {
    const net = validNet();
    (net['params'] as Float32Array[]).forEach((p) => p.fill(0.5));
    const job = { net, x: f32(30).fill(1), y: f32(20), n: 10, order: Uint32Array.of(0, 1, 11), batchSize: 1, learningRate: 0.1, weightDecay: 0 };
    expect(() => be.trainEpoch(job as never)).toThrow(RangeError);
    for (const p of net['params'] as Float32Array[]) expect(p.every((v) => v === 0.5)).toBe(true);
  });
});
