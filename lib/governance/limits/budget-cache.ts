/** What a replica last learned of its subjects' budgets on Redis, so that a budget far from spent is not read per request. */

/** How long a learned usage stands in for a read. */
export const BUDGET_FRESH_MS = 1_000;
/** Most budget keys remembered; past that the memory starts over (only costs reads). */
const MAX_KEYS = 10_000;

export class BudgetCache {
  private readonly known = new Map<string, { used: number; at: number }>();

  /**
   * Whether the budget at `key` need not be read at admission: this replica learned less than a second ago that
   * less than half of its `points` were used (other replicas would have to spend the other half within that second).
   */
  skips(key: string, points: number, now: number): boolean {
    const k = this.known.get(key);
    return k !== undefined && now - k.at < BUDGET_FRESH_MS && k.used * 2 < points;
  }

  /** Records what a read or a write of the budget at `key` answered. */
  learn(key: string, used: number, now: number): void {
    if (this.known.size >= MAX_KEYS && !this.known.has(key)) this.known.clear();
    this.known.set(key, { used, at: now });
  }
}
