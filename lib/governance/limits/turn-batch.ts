/** What the limits send to Redis in one turn of the event loop: its admissions and its ends, in one script call when both wait. */
import { AdmissionBatch, type TakenBatch } from './admission-batch';
import { SettleBatch } from './settle-batch';
import { ADMIT_BATCH_SCRIPT, SETTLE_SCRIPT, TURN_SCRIPT, type Script } from './limit-scripts';

/** Runs `script` on `keyCount` keys; `parts` are the keys then the arguments, sent flattened. */
export type RunScript = (script: Script, keyCount: number, parts: ReadonlyArray<ReadonlyArray<string | number>>) => Promise<unknown>;

export class TurnBatch {
  readonly admissions: AdmissionBatch;
  readonly settlements: SettleBatch;
  private scheduled = false;

  constructor(
    private readonly run: RunScript,
    /** Called with a budget's count, read or written by a script that ran. */
    learned: (key: string, used: number) => void,
  ) {
    const wake = () => {
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(this.flush);
    };
    this.admissions = new AdmissionBatch(wake, learned);
    this.settlements = new SettleBatch(wake, learned);
  }

  /** Sends what waits now (a read sent next sees it: one connection keeps the order); the turn's end then finds nothing. */
  readonly flush = (): void => {
    this.scheduled = false;
    const ends = this.settlements.take();
    const admissions = this.admissions.take();
    if (ends && admissions) {
      const keyCount = ends.keys.length + admissions.keys.length;
      this.send(this.run(TURN_SCRIPT, keyCount, [ends.keys, admissions.keys, [ends.keys.length], ...ends.args, ...admissions.args]), [ends, admissions], ends.keys.length);
    } else if (ends) {
      this.send(this.run(SETTLE_SCRIPT, ends.keys.length, [ends.keys, ...ends.args]), [ends]);
    } else if (admissions) {
      this.send(this.run(ADMIT_BATCH_SCRIPT, admissions.keys.length, [admissions.keys, ...admissions.args]), [admissions]);
    }
  };

  /** Hands the reply out to `batches`: the first's part starts the reply, the second's (if any) starts at `second`. */
  private send(sent: Promise<unknown>, batches: readonly TakenBatch[], second = 0): void {
    sent.then((reply) => {
      for (let i = 0; i < batches.length; i++) batches[i].answer(reply as number[], i === 0 ? 0 : second);
    }, (err) => {
      for (const b of batches) b.fail(err);
    });
  }
}
