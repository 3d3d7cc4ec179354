/** The total-size bound of the dump directory: counts what each folder holds and deletes the oldest folders past it. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** What the budget knows of one interception folder. */
export interface BudgetedFolder {
  readonly path: string;
  bytes: number;
  /** Set when the budget deleted the folder: its writers stop. */
  evicted: boolean;
  /** Told when the folder is evicted (its open files stop at once). */
  onEvict?(): void;
}

/**
 * Keeps the bytes under `dir` at most `maxBytes`: before a write, older folders are deleted (oldest first) until the
 * write fits; a write that would not fit even then is refused. Folders already in `dir` when the bridge starts are
 * counted (read once, in the background) and are the first to go.
 */
export class DumpBudget {
  /** In age order, oldest first. */
  private folders: BudgetedFolder[] = [];
  private total = 0;

  constructor(private readonly dir: string, private readonly maxBytes: number, private readonly onError: (err: unknown) => void) {}

  /** Starts counting `folder` (a new one is the youngest). */
  add(folder: BudgetedFolder): void {
    this.folders.push(folder);
    this.total += folder.bytes;
  }

  /** Whether `bytes` more may be written to `folder`; deletes older folders to make room. */
  take(folder: BudgetedFolder, bytes: number): boolean {
    if (folder.evicted) return false;
    while (this.total + bytes > this.maxBytes) {
      const oldest = this.folders.find((f) => f !== folder);
      if (!oldest) return false;
      this.evict(oldest);
    }
    folder.bytes += bytes;
    this.total += bytes;
    return true;
  }

  private evict(folder: BudgetedFolder): void {
    this.folders.splice(this.folders.indexOf(folder), 1);
    this.total -= folder.bytes;
    folder.evicted = true;
    folder.onEvict?.();
    fs.rm(folder.path, { recursive: true, force: true }).catch(this.onError);
  }

  /** Counts the folders a previous run left in `dir`, oldest first, ahead of those made since. Never throws. */
  async adoptExisting(): Promise<void> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return; // no directory yet: nothing to count
    }
    const found: Array<BudgetedFolder & { mtime: number }> = [];
    for (const name of names) {
      const folderPath = path.join(this.dir, name);
      if (this.folders.some((f) => f.path === folderPath)) continue;
      const size = await folderSize(folderPath);
      if (size) found.push({ path: folderPath, bytes: size.bytes, evicted: false, mtime: size.mtime });
    }
    found.sort((a, b) => a.mtime - b.mtime);
    this.folders = [...found, ...this.folders];
    for (const f of found) this.total += f.bytes;
    // Make room at once when a previous run left more than the bound allows (the newest folder is kept).
    while (this.total > this.maxBytes && this.folders.length > 1) this.evict(this.folders[0]);
  }
}

/** The bytes of the files in a folder and its latest change; undefined for anything that is not a folder. */
async function folderSize(folderPath: string): Promise<{ bytes: number; mtime: number } | undefined> {
  try {
    const stat = await fs.stat(folderPath);
    if (!stat.isDirectory()) return undefined;
    let bytes = 0;
    let mtime = stat.mtimeMs;
    for (const name of await fs.readdir(folderPath)) {
      const file = await fs.stat(path.join(folderPath, name));
      bytes += file.size;
      mtime = Math.max(mtime, file.mtimeMs);
    }
    return { bytes, mtime };
  } catch {
    return undefined;
  }
}
