// One dump file: closed only once its bytes are on disk, never overwriting, bounded with a marker, stopped by the budget.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DumpFile, truncationMarker, type FileFolder } from '../../lib/observability/dumps/dump-file';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dump-file-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A folder stub that records what the file tells it; `room` is what the total bound still allows. */
function folder(room = Infinity, ready: Promise<void> = Promise.resolve()) {
  const seen = { failures: [] as unknown[], closed: 0, taken: 0 };
  let onClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (onClosed = resolve));
  const stub: FileFolder = {
    ready,
    evicted: false,
    take(bytes) {
      if (seen.taken + bytes > room) return false;
      seen.taken += bytes;
      return true;
    },
    failed: (err) => seen.failures.push(err),
    closed: () => {
      seen.closed++;
      onClosed();
    },
  };
  return { stub, seen, closed };
}

test('it is closed only once what was written is on disk', async () => {
  const { stub, seen, closed } = folder();
  const file = new DumpFile(stub, path.join(dir, '001-attempt.http'), 1 << 20);
  file.write('head\n');
  await new Promise((r) => setTimeout(r, 10)); // opened
  const body = Buffer.alloc(256 * 1024, 0x62);
  file.write(body);
  file.end('\n[note]\n');
  expect(seen.closed).toBe(0);
  await closed;
  expect(fs.readFileSync(path.join(dir, '001-attempt.http'), 'utf8')).toBe(`head\n${body.toString()}\n[note]\n`);
  expect(seen).toEqual({ failures: [], closed: 1, taken: 5 + body.length + 8 });
});

test('bytes written before the folder exists wait for it; an existing file is never overwritten', async () => {
  let makeFolder!: () => void;
  const { stub, seen, closed } = folder(Infinity, new Promise<void>((resolve) => (makeFolder = resolve)));
  const target = path.join(dir, '001-attempt.http');
  const file = new DumpFile(stub, target, 1024);
  file.write('early bytes');
  file.end();
  fs.writeFileSync(target, 'already here');
  makeFolder();
  await closed;
  expect(fs.readFileSync(target, 'utf8')).toBe('already here');
  expect((seen.failures[0] as NodeJS.ErrnoException).code).toBe('EEXIST');
});

test('past maxBytes the file ends with the truncation marker; later writes and notes are dropped', async () => {
  const { stub, closed } = folder();
  const file = new DumpFile(stub, path.join(dir, 'f'), 1024);
  file.write(Buffer.alloc(1000, 0x61));
  file.write(Buffer.alloc(100, 0x62));
  file.write('more');
  file.end('[note]');
  await closed;
  const text = fs.readFileSync(path.join(dir, 'f'), 'utf8');
  expect(text).toBe('a'.repeat(1000) + 'b'.repeat(24) + truncationMarker(1024).toString());
});

test('a write the total bound refuses stops the file', async () => {
  const { stub, seen, closed } = folder(10);
  const file = new DumpFile(stub, path.join(dir, 'f'), 1024);
  file.write('0123456789');
  file.write('over');
  file.write('and more');
  await closed;
  expect(seen.closed).toBe(1);
  expect(seen.taken).toBe(10);
  expect(fs.existsSync(path.join(dir, 'f'))).toBe(false); // stopped before it was opened: nothing waited
});
