/** Reads API dump directories back for tests: folders, their attempt files in order, every byte. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh temporary directory (removed by {@link removeTempDirs}). */
const made: string[] = [];
export function tempDir(prefix = 'aibridge-dumps-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** The folders under `dir` (none when it does not exist). */
export function dumpFolders(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** The attempt files of one folder, sorted, with their text. */
export function attemptFiles(dir: string, id: string): Array<{ name: string; text: string }> {
  const folder = path.join(dir, id);
  if (!fs.existsSync(folder)) return [];
  return fs.readdirSync(folder).sort().map((name) => ({ name, text: fs.readFileSync(path.join(folder, name), 'utf8') }));
}

/** Every byte of every file under `dir`, as text. */
export function everyByte(dir: string): string {
  let out = '';
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out += fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
  }
  return out;
}

/** Bytes of all files under `dir`. */
export function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}
