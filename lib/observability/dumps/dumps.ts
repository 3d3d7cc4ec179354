/** API dumps: one folder per interception (or passthrough call), one file per upstream attempt, in the order made. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'winston';
import type { KeyScrub } from '../../redaction/redactor';
import { FAILURE_LOG_INTERVAL_MS, LogThrottle } from '../log-throttle';
import { errorMessage } from '../logger';
import { settlesWithin } from '../../http/deadline';
import { DumpBudget, type BudgetedFolder } from './dump-budget';
import { DumpFile, type FileFolder } from './dump-file';
import { attemptFileName, failureNote, requestHead, responseHead, type DumpRequest } from './dump-format';
import type { DumpConfig } from './dump-options';
import { RedactingCutter, tapBody, type TappableResponse } from './dump-tap';

export type { DumpRequest } from './dump-format';

/** A request body is redacted and written in slices of this size, and only as far as its file takes bytes. */
const BODY_SLICE_BYTES = 64 * 1024;

/** How long `close()` waits for the files still being written (their answers end as the bridge closes its connections). */
const CLOSE_MS = 5_000;

/** An upstream answer as an attempt returns it: its head, and a body not read yet. */
export interface DumpedResponse extends TappableResponse {
  status: number;
  headers: IncomingHttpHeaders;
}

/** The bridge's dumps: made once at creation from the `dump` option; requests ask it for their folder. */
export class Dumps {
  private readonly budget: DumpBudget;
  // A full disk or a read-only directory would otherwise log once per attempt.
  private readonly throttle = new LogThrottle(FAILURE_LOG_INTERVAL_MS);
  /** Files not closed yet, and who waits for there to be none. */
  private openFiles = 0;
  private idle: Array<() => void> = [];

  constructor(readonly config: DumpConfig, private readonly logger: Logger) {
    this.budget = new DumpBudget(config.dir, config.maxTotalBytes, (err) => this.failed(err));
    void this.budget.adoptExisting();
  }

  /** The folder of one interception (or passthrough call) `id`, made on its first attempt; `scrub` is its redaction. */
  folder(id: string, scrub: KeyScrub): DumpFolder {
    return new DumpFolder(this, path.join(this.config.dir, id), scrub);
  }

  /** @internal */
  track(folder: BudgetedFolder): void {
    this.budget.add(folder);
  }

  /** @internal */
  take(folder: BudgetedFolder, bytes: number): boolean {
    return this.budget.take(folder, bytes);
  }

  /** @internal */
  fileOpened(): void {
    this.openFiles++;
  }

  /** @internal */
  fileClosed(): void {
    if (--this.openFiles === 0) for (const wake of this.idle.splice(0)) wake();
  }

  /** Waits (bounded) until every file being written is closed, so that what the bridge sent is on disk when it closes. */
  async close(): Promise<void> {
    if (this.openFiles === 0) return;
    const done = new Promise<void>((resolve) => this.idle.push(resolve));
    if (!(await settlesWithin(done, CLOSE_MS))) this.logger.warn('API dump files were still being written when the bridge closed', { files: this.openFiles });
  }

  /** A dump that could not be written: logged (throttled); that dump stops, the request goes on. */
  failed(err: unknown): void {
    const held = this.throttle.allow('dump');
    if (held === false) return;
    this.logger.warn('an API dump could not be written; it stops there (requests are not affected)', {
      dir: this.config.dir, error: errorMessage(err), ...(held > 0 ? { suppressed: held } : {}),
    });
  }
}

/** One interception's folder: numbers its attempts, opens a file per attempt, stops its files when evicted. */
export class DumpFolder implements BudgetedFolder, FileFolder {
  bytes = 0;
  evicted = false;
  private made: Promise<void> | undefined;
  private attempts = 0;
  private readonly open = new Set<DumpFile>();

  constructor(private readonly dumps: Dumps, readonly path: string, private readonly scrub: KeyScrub) {}

  get ready(): Promise<void> {
    return (this.made ??= fs.mkdir(this.path, { recursive: true }).then(() => {
      // Evicted while being made: the budget's delete may have run first, and nothing counts this folder any more.
      if (this.evicted) void fs.rm(this.path, { recursive: true, force: true }).catch(() => undefined);
    }));
  }

  /**
   * Dumps one attempt: the request now (as it is sent), the response head when `response` settles, its body as it
   * is read. Returns `response` with its body tapped; a failed attempt is noted in the file and rethrown unchanged.
   */
  attempt<R extends DumpedResponse>(request: DumpRequest, hint: string | undefined, response: Promise<R>): Promise<R> {
    if (this.evicted) return response;
    let file: DumpFile;
    try {
      file = this.start(request, hint);
    } catch (err) {
      this.failed(err);
      return response;
    }
    return response.then((answer) => {
      try {
        file.write(responseHead(answer.status, answer.headers, this.scrub));
        return tapBody(answer, file, this.scrub);
      } catch (err) {
        // Only the dump stops: the answer goes on as it came.
        file.stop();
        this.failed(err);
        return answer;
      }
    }, (err: unknown) => {
      file.end(failureNote('no answer', errorMessage(err), this.scrub));
      throw err;
    });
  }

  /** The attempt's file, with the request as it is sent. */
  private start(request: DumpRequest, hint: string | undefined): DumpFile {
    if (this.attempts === 0) this.dumps.track(this);
    const file = new DumpFile(this, path.join(this.path, attemptFileName(++this.attempts)), this.dumps.config.maxFileBytes);
    this.open.add(file);
    this.dumps.fileOpened();
    file.write(requestHead(request, this.scrub, hint));
    if (request.body !== undefined) this.writeBody(file, Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8'));
    return file;
  }

  /** The request body, redacted like an answer; a body larger than the file is not scanned past what the file takes. */
  private writeBody(file: DumpFile, body: Buffer): void {
    const cutter = new RedactingCutter(this.scrub, (bytes) => file.write(bytes));
    for (let at = 0; at < body.length && file.accepting; at += BODY_SLICE_BYTES) cutter.push(body.subarray(at, at + BODY_SLICE_BYTES));
    if (file.accepting) cutter.end();
  }

  take(bytes: number): boolean {
    return this.dumps.take(this, bytes);
  }

  failed(err: unknown): void {
    this.dumps.failed(err);
  }

  closed(file: DumpFile): void {
    if (this.open.delete(file)) this.dumps.fileClosed();
  }

  onEvict(): void {
    for (const file of [...this.open]) file.stop();
  }
}
