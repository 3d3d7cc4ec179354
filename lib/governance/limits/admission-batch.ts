/** The admissions that arrive on Redis in one turn of the event loop, gathered for one script call that admits each in order. */

/** How a key counts in the admission script: a budget (read), a window or a concurrency slot (taken). */
export type KeyKind = 'b' | 'w' | 's';

/** One counter of one subject, as the admission script takes it. */
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

/** A batch taken for sending: its keys and arguments (sent flattened), and what to do with the reply. */
export interface TakenBatch {
  keys: readonly string[];
  args: ReadonlyArray<ReadonlyArray<string | number>>;
  /** Hands out the reply, whose part for this batch starts at `offset`. */
  answer(reply: readonly number[], offset: number): void;
  fail(err: unknown): void;
}

interface Waiting {
  keys: readonly BatchKey[];
  resolve(refusal: BatchRefusal | undefined): void;
  reject(err: unknown): void;
}

export class AdmissionBatch {
  private waiting: Waiting[] = [];

  constructor(
    /** Called when the first admission of a turn waits (the batch is then to be sent at the turn's end). */
    private readonly wake: () => void,
    /** Called with each budget's count, read by a batch that ran. */
    private readonly learned: (key: string, used: number) => void,
  ) {}

  /**
   * Admits one request against `keys` (budgets first) with the others of this turn: undefined when admitted, else
   * the refusal. Rejects when the script fails (each request of the batch then fails the same way).
   */
  admit(keys: readonly BatchKey[]): Promise<BatchRefusal | undefined> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) this.wake();
      this.waiting.push({ keys, resolve, reject });
    });
  }

  /** The admissions waiting, to send now; undefined when none waits. */
  take(): TakenBatch | undefined {
    const batch = this.waiting;
    if (batch.length === 0) return undefined;
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
    return {
      keys,
      args: [keyArgs, requestArgs],
      answer: (reply, offset) => {
        // After the requests' answers, every key's count.
        const counts = offset + batch.length * 3;
        for (const i of budgets) this.learned(keys[i], reply[counts + i]);
        for (let r = 0; r < batch.length; r++) {
          const at = offset + r * 3;
          batch[r].resolve(reply[at] === 0 ? undefined : { at: reply[at], used: reply[at + 1], pttl: reply[at + 2] });
        }
      },
      fail: (err) => {
        for (const w of batch) w.reject(err);
      },
    };
  }
}
