import type { RetryBudgetOptions } from '../options/PipelineOptions.ts';

/**
 * A retry quota per key, after the AWS SDK's: retries take tokens, successes put some back, and
 * an empty bucket means no more retries (the first attempt of a call is never refused). An outage
 * therefore costs at most `capacity / retryCost` retries before calls go out once each.
 */
export class RetryBudget {
  readonly #o: Required<RetryBudgetOptions>;
  #tokens: number;

  constructor(options: Required<RetryBudgetOptions>) {
    this.#o = options;
    this.#tokens = options.capacity;
  }

  get tokens(): number {
    return this.#tokens;
  }

  /** Takes the cost of one retry; `false` (and nothing taken) when the budget cannot pay it. */
  withdraw(afterTimeout: boolean): number | undefined {
    const cost = afterTimeout ? this.#o.timeoutCost : this.#o.retryCost;
    if (this.#tokens < cost) return undefined;
    this.#tokens -= cost;
    return cost;
  }

  /** A call succeeded: return what its retries cost, or the small refund of a first-time success. */
  deposit(spent: number): void {
    this.#tokens = Math.min(
      this.#o.capacity,
      this.#tokens + (spent > 0 ? spent : this.#o.successRefund),
    );
  }
}
