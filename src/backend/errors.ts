/**
 * The typed failure of a training job: a batch whose loss, gradient or
 * update was not finite. Both backends throw it (the addon rejects with an
 * Error carrying the same code and fields, which native.ts turns into this
 * class), so callers test `instanceof NonFiniteError` or `err.code`, never
 * the message.
 */

export const NON_FINITE_CODE = 'ERR_FASTNN_NON_FINITE';

/** What stopped being finite: the loss, a gradient, or an updated weight. */
export type NonFiniteQuantity = 'loss' | 'gradient' | 'update';

/** A fit stopped at a batch whose loss, gradient or update was not finite (NaN or ±Infinity); the weights hold the last applied batch. */
export class NonFiniteError extends Error {
  /** The class name, as `err.name`. */
  override name = 'NonFiniteError';
  /** Stable code to test for: ERR_FASTNN_NON_FINITE. */
  readonly code = NON_FINITE_CODE;
  /** What stopped being finite. */
  readonly quantity: NonFiniteQuantity;
  /** 1-based epoch of the run, and the 0-based batch in it; that batch was not applied. */
  readonly epoch: number;
  /** 0-based batch of that epoch. */
  readonly batch: number;

  constructor(message: string, quantity: NonFiniteQuantity, epoch: number, batch: number, options?: ErrorOptions) {
    super(message, options);
    this.quantity = quantity;
    this.epoch = epoch;
    this.batch = batch;
  }

  /** The message both backends give: "train: non-finite <quantity> at epoch E, batch B; that batch was not applied". */
  static forBatch(quantity: NonFiniteQuantity, epoch: number, batch: number): NonFiniteError {
    return new NonFiniteError(`train: non-finite ${quantity} at epoch ${epoch}, batch ${batch}; that batch was not applied`, quantity, epoch, batch);
  }
}
