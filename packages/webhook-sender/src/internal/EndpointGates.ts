import type { Clock } from '@portcullis/core';

interface Gate {
  inFlight: number;
  /** Token bucket for the rate limit. */
  tokens: number;
  refilledAt: number;
  /** Consecutive failures; the breaker opens at the threshold. */
  failures: number;
  openUntil: number;
  /** At its concurrency limit. */
  full: boolean;
}

/** Limits of one endpoint, with the endpoint's overrides applied. */
export interface GateLimits {
  maxConcurrency: number;
  /** Requests per second; 0 is no limit. */
  ratePerSec: number;
}

/**
 * Per-endpoint concurrency, rate and circuit breaker, in this process. An endpoint that is full,
 * out of tokens or whose breaker is open is left out of claims, so one dead or slow receiver does
 * not take every worker.
 */
export class EndpointGates {
  readonly #gates = new Map<string, Gate>();
  readonly #clock: Clock;
  readonly #failures: number;
  readonly #cooldownMs: number;

  constructor(clock: Clock, breakerFailures: number, breakerCooldownMs: number) {
    this.#clock = clock;
    this.#failures = breakerFailures;
    this.#cooldownMs = breakerCooldownMs;
  }

  #gate(id: string): Gate {
    let gate = this.#gates.get(id);
    if (gate === undefined) {
      gate = {
        inFlight: 0,
        tokens: Number.NaN,
        refilledAt: this.#clock.now(),
        failures: 0,
        openUntil: 0,
        full: false,
      };
      this.#gates.set(id, gate);
    }
    return gate;
  }

  /** Endpoints not to claim for now (breaker open, or no room). */
  blocked(): string[] {
    const now = this.#clock.now();
    const out: string[] = [];
    for (const [id, gate] of this.#gates) {
      if (gate.openUntil > now || gate.full) out.push(id);
    }
    return out;
  }

  /** Whether the breaker is open for `id`. */
  isOpen(id: string): boolean {
    return this.#gate(id).openUntil > this.#clock.now();
  }

  /** Takes a slot and a token for `id`; `false` when the endpoint has no room now. */
  tryAcquire(id: string, limits: GateLimits): boolean {
    const gate = this.#gate(id);
    const now = this.#clock.now();
    if (gate.openUntil > now || gate.inFlight >= limits.maxConcurrency) return false;
    if (limits.ratePerSec > 0) {
      const burst = Math.max(1, limits.ratePerSec);
      if (Number.isNaN(gate.tokens)) gate.tokens = burst;
      gate.tokens = Math.min(
        burst,
        gate.tokens + ((now - gate.refilledAt) / 1000) * limits.ratePerSec,
      );
      gate.refilledAt = now;
      if (gate.tokens < 1) return false;
      gate.tokens -= 1;
    }
    gate.inFlight += 1;
    gate.full = gate.inFlight >= limits.maxConcurrency;
    return true;
  }

  /** Frees the slot taken by {@link tryAcquire} and feeds the breaker. */
  release(id: string, outcome: 'success' | 'failure' | 'neutral'): void {
    const gate = this.#gate(id);
    gate.inFlight = Math.max(0, gate.inFlight - 1);
    gate.full = false;
    if (outcome === 'success') gate.failures = 0;
    if (outcome === 'failure') {
      gate.failures += 1;
      if (gate.failures >= this.#failures) {
        gate.openUntil = this.#clock.now() + this.#cooldownMs;
        gate.failures = this.#failures - 1; // half-open after the cooldown: one more failure reopens
      }
    }
  }
}
