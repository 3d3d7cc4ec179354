/** The admissions that arrive on Redis in one turn of the event loop, sent as one script call that admits each in order. */

/** How a key counts in the batch script: a budget (read), a window or a concurrency slot (taken). */
export type KeyKind = 'b' | 'w' | 's';

/** One counter of one subject, as the batch script takes it. */
export interface BatchKey {
  key: string;
  points: number;
  ttlSec: number;
  kind: KeyKind;
}

/** Why a request was refused: the position of the refusing key in its list, that key's count, and its pttl. */
export interface BatchRefusal {
  at: number;
  used: number;
  pttl: number;
}

/** Sends the batch script: `keyCount` keys, then the arguments (the parts are sent flattened). */
export type SendScript = (keyCount: number, parts: ReadonlyArray<ReadonlyArray<string | number>>) => Promise<unknown>;

interface Waiting {
  keys: readonly BatchKey[];
  resolve(refusal: BatchRefusal | undefined): void;
  reject(err: unknown): void;
}

export class AdmissionBatch {
  private waiting: Waiting[] = [];

  constructor(
    private readonly send: SendScript,
    /** Called with each budget's count, read by a batch that ran. */
    private readonly learned: (key: string, used: number) => void,
  ) {}

  /**
   * Admits one request against `keys` (budgets first) with the others of this turn: undefined when admitted, else
   * the refusal. Rejects when the script fails (each request of the batch then fails the same way).
   */
  admit(keys: readonly BatchKey[]): Promise<BatchRefusal | undefined> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) setImmediate(this.flush);
      this.waiting.push({ keys, resolve, reject });
    });
  }

  /** Sends what waits now (a read that follows must see it); the turn's end then finds nothing to send. */
  readonly flush = (): void => {
    const batch = this.waiting;
    if (batch.length === 0) return;
    this.waiting = [];
    const indexOf = new Map<string, number>();
    const keys: string[] = [];
    const keyArgs: Array<string | number> = [batch.length];
    const requestArgs: Array<string | number> = [];
    /** The budgets' positions in `keys`. */
    const budgets: number[] = [];
    for (const { keys: asked } of batch) {
      requestArgs.push(asked.length);
      for (const k of asked) {
        let index = indexOf.get(k.key);
        if (index === undefined) {
          keys.push(k.key);
          index = keys.length;
          indexOf.set(k.key, index);
          keyArgs.push(k.points, k.ttlSec, k.kind);
          if (k.kind === 'b') budgets.push(index - 1);
        }
        requestArgs.push(index);
      }
    }
    this.send(keys.length, [keys, keyArgs, requestArgs]).then((reply) => this.answer(batch, { keys, budgets }, reply as number[]), (err) => {
      for (const w of batch) w.reject(err);
    });
  };

  private answer(batch: readonly Waiting[], sent: { keys: readonly string[]; budgets: readonly number[] }, reply: readonly number[]): void {
    // After the requests' answers, every key's count.
    const counts = batch.length * 3;
    for (const i of sent.budgets) this.learned(sent.keys[i], reply[counts + i]);
    for (let r = 0; r < batch.length; r++) {
      const at = reply[r * 3];
      batch[r].resolve(at === 0 ? undefined : { at, used: reply[r * 3 + 1], pttl: reply[r * 3 + 2] });
    }
  }
}
