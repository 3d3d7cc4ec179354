/** One attempt's dump file: written through a write stream as bytes come, bounded in size, never throwing. */
import { createWriteStream, type WriteStream } from 'node:fs';

/** What a file needs of its folder: whether it exists yet, the total-size bound, where to report a failure. */
export interface FileFolder {
  /** Settles once the folder exists (rejects when it cannot be made). */
  readonly ready: Promise<void>;
  readonly evicted: boolean;
  /** Whether `bytes` more fit under the total bound. */
  take(bytes: number): boolean;
  /** A write failed: logged (throttled) by the folder. */
  failed(err: unknown): void;
  /** The file is done (ended, stopped or failed). */
  closed(file: DumpFile): void;
}

export const truncationMarker = (maxBytes: number): Buffer => Buffer.from(`\n[express-aibridge: dump truncated at ${maxBytes} bytes]\n`);

/**
 * Appends bytes to a new file (opened with `wx`: an existing file is never overwritten). Bytes written before the
 * folder exists wait in memory, bounded like the file. Past `maxBytes` the file gets a truncation marker and takes
 * nothing more. A failure stops the file; it is never thrown at the caller, whose request goes on.
 */
export class DumpFile {
  private stream: WriteStream | undefined;
  private waiting: Buffer[] | undefined = [];
  private written = 0;
  /** No more bytes are taken. */
  private done = false;
  /** Closed (or never opened): nothing more reaches the disk. */
  private closed = false;

  constructor(private readonly folder: FileFolder, readonly path: string, private readonly maxBytes: number) {
    folder.ready.then(() => this.open(), (err) => this.fail(err));
  }

  /** Whether bytes written now are still taken (false once the file reached its bound, ended or stopped). */
  get accepting(): boolean {
    return !this.done;
  }

  write(bytes: Buffer | string): void {
    if (this.done) return;
    const chunk = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    const room = this.maxBytes - this.written;
    if (chunk.length <= room) {
      this.put(chunk);
      return;
    }
    if (room > 0) this.put(chunk.subarray(0, room));
    // The marker is not counted against the file's bound: it must always fit.
    if (!this.done) this.put(truncationMarker(this.maxBytes), true);
    this.end();
  }

  /** Writes `note` (when given) and closes the file once what is pending is written. */
  end(note?: string): void {
    if (this.done) return;
    if (note) this.write(note);
    if (this.done) return; // the note reached the bound: the file is ended already
    this.done = true;
    if (this.stream) this.stream.end(); // closed (and counted done) once written
    else if (!this.waiting) this.finish(); // stopped before it opened
    // else: opened, written and ended once the folder exists
  }

  /** Stops at once (the folder was evicted): what is pending is dropped. */
  stop(): void {
    this.done = true;
    this.waiting = undefined;
    this.stream?.destroy();
    this.finish();
  }

  private put(chunk: Buffer, uncounted = false): void {
    if (!this.folder.take(chunk.length)) {
      this.stop();
      return;
    }
    if (!uncounted) this.written += chunk.length;
    // Never waits for the disk: what one file holds is bounded, so what waits in the stream's buffer is too.
    if (this.stream) this.stream.write(chunk);
    else this.waiting?.push(chunk);
  }

  private open(): void {
    const waiting = this.waiting;
    if (!waiting || this.folder.evicted) return this.stop();
    this.waiting = undefined;
    const stream = createWriteStream(this.path, { flags: 'wx' });
    this.stream = stream;
    stream.on('error', (err) => this.fail(err));
    stream.once('close', () => this.finish());
    for (const chunk of waiting) stream.write(chunk);
    if (this.done) stream.end();
  }

  private fail(err: unknown): void {
    if (this.closed) return;
    // A folder the budget deleted while a write was under way fails quietly: that is the bound at work.
    if (!this.folder.evicted) this.folder.failed(err);
    this.stop();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.waiting = undefined;
    this.folder.closed(this);
  }
}
