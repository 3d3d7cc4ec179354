/** Keys one route must not use for a while (the key lacks that route's scope), kept in this process's memory. */

/**
 * Deadlines by route scope, then by pool index. Bounded: scopes are the bridge's own route names (fixed at
 * creation), never client-chosen paths, and each holds at most one entry per key.
 */
export class RouteBlocks {
  private readonly byScope = new Map<string, Map<number, number>>();

  block(scope: string, index: number, until: number): void {
    let keys = this.byScope.get(scope);
    if (!keys) this.byScope.set(scope, (keys = new Map()));
    keys.set(index, Math.max(until, keys.get(index) ?? 0));
  }

  /** When key `index` may serve `scope` again, or undefined when it may now. */
  until(scope: string, index: number, now: number): number | undefined {
    const keys = this.byScope.get(scope);
    const until = keys?.get(index);
    if (until === undefined) return undefined;
    if (until > now) return until;
    keys!.delete(index);
    return undefined;
  }
}
