// The dump directory's total bound: oldest folders go first, never the one being written, a previous run's are counted.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DumpBudget, type BudgetedFolder } from '../../lib/observability/dumps/dump-budget';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dump-budget-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function folder(name: string): BudgetedFolder & { evictions: number } {
  const f = { path: path.join(dir, name), bytes: 0, evicted: false, evictions: 0, onEvict: () => f.evictions++ };
  fs.mkdirSync(f.path);
  return f;
}

test('a write that does not fit deletes the oldest other folders until it does', async () => {
  const budget = new DumpBudget(dir, 100, (err) => { throw err; });
  const [a, b, c] = ['a', 'b', 'c'].map(folder);
  for (const f of [a, b, c]) budget.add(f);
  expect(budget.take(a, 40)).toBe(true);
  expect(budget.take(b, 40)).toBe(true);
  expect(budget.take(c, 20)).toBe(true);
  expect(budget.take(c, 30)).toBe(true); // 130 > 100: a (the oldest) goes
  expect([a.evicted, b.evicted, c.evicted]).toEqual([true, false, false]);
  expect(a.evictions).toBe(1);
  expect(budget.take(a, 1)).toBe(false); // an evicted folder takes nothing more
  await new Promise((r) => setTimeout(r, 20));
  expect(fs.readdirSync(dir).sort()).toEqual(['b', 'c']);
});

test('the folder being written is never deleted for itself: a write it alone cannot fit is refused', () => {
  const budget = new DumpBudget(dir, 100, (err) => { throw err; });
  const a = folder('a');
  budget.add(a);
  expect(budget.take(a, 90)).toBe(true);
  expect(budget.take(a, 20)).toBe(false);
  expect(a.evicted).toBe(false);
  expect(a.bytes).toBe(90);
});

test("a previous run's folders are counted, oldest first, and deleted past the bound at once", async () => {
  for (const [name, size, age] of [['old', 60, 3000], ['older', 60, 5000], ['newest', 30, 1000]] as const) {
    fs.mkdirSync(path.join(dir, name));
    const file = path.join(dir, name, '001-attempt.http');
    fs.writeFileSync(file, 'x'.repeat(size));
    const when = new Date(Date.now() - age);
    fs.utimesSync(file, when, when);
    fs.utimesSync(path.join(dir, name), when, when);
  }
  const budget = new DumpBudget(dir, 100, (err) => { throw err; });
  await budget.adoptExisting(); // 150 > 100: the oldest goes
  await new Promise((r) => setTimeout(r, 20));
  expect(fs.readdirSync(dir).sort()).toEqual(['newest', 'old']);
  const mine = folder('mine');
  budget.add(mine);
  expect(budget.take(mine, 50)).toBe(true); // 140: 'old' goes next
  await new Promise((r) => setTimeout(r, 20));
  expect(fs.readdirSync(dir).sort()).toEqual(['mine', 'newest']);
});

test('a directory that does not exist yet has nothing to count', async () => {
  const budget = new DumpBudget(path.join(dir, 'missing'), 100, (err) => { throw err; });
  await expect(budget.adoptExisting()).resolves.toBeUndefined();
});
