/**
 * A small seeded PRNG (mulberry32) and the draws the generator needs. Same
 * seed, same sequence, on every machine: Math.random cannot promise that.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Pareto with minimum 1: most draws near 1, a few very large (alpha 1.16 is the 80/20 rule). */
  pareto(alpha: number): number {
    return 1 / Math.pow(1 - this.next(), 1 / alpha);
  }

  /** An index in [0, n) that favours low indices: early content is the popular content. */
  skewed(n: number): number {
    const r = this.next();
    return Math.floor(n * r * r);
  }

  /** Rounds x up or down at random so that the expected value is x. */
  round(x: number): number {
    const whole = Math.floor(x);
    return whole + (this.next() < x - whole ? 1 : 0);
  }

  /**
   * `k` distinct indices in [0, n), favouring low ones while that stays cheap;
   * used wherever a unique pair (user, item) must not repeat.
   */
  distinct(k: number, n: number): number[] {
    if (k <= 0 || n <= 0) return [];
    if (k >= n) return Array.from({ length: n }, (_, i) => i);
    if (k > n / 4) {
      // Partial Fisher-Yates: uniform, no retries however close k is to n.
      const pool = new Int32Array(n);
      for (let i = 0; i < n; i += 1) pool[i] = i;
      const out: number[] = [];
      for (let i = 0; i < k; i += 1) {
        const j = i + this.int(n - i);
        const chosen = pool[j];
        pool[j] = pool[i];
        pool[i] = chosen;
        out.push(chosen);
      }
      return out;
    }
    const seen = new Set<number>();
    let tries = 0;
    while (seen.size < k) {
      tries += 1;
      seen.add(tries < 8 * k ? this.skewed(n) : this.int(n));
    }
    return [...seen];
  }
}
