// The direction of imports docs/architecture.md describes: bridge → pipeline → providers → apis → building blocks, never upward.
import * as fs from 'node:fs';
import * as path from 'node:path';

const LIB = path.join(__dirname, '..', '..', 'lib');
// Higher numbers sit higher; a file may import its own layer or a lower one.
const LAYERS: Record<string, number> = {
  'bridge.ts': 5, 'routing.ts': 5, 'options.ts': 5, 'bridge-config.ts': 5, 'index.ts': 5, 'last-resort.ts': 5,
  pipeline: 4, passthrough: 4, dashboard: 4,
  providers: 3,
  apis: 2,
};
// Leaves (errors.ts, options-check.ts, redis-client.ts) and the building blocks (http, keypool, recorder, …).
const BUILDING_BLOCK = 1;
// The one upward import allowed, and only as a type: the dashboard reads the bridge it is given.
const TYPE_ONLY_UPWARD = new Set(['dashboard → bridge.ts']);

/** The layer of a path relative to lib/: its top folder's, or the root file's own. */
function layerOf(relative: string): { name: string; layer: number } {
  const name = relative.split(path.sep)[0];
  return { name, layer: LAYERS[name] ?? BUILDING_BLOCK };
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every relative import of lib/ that climbs to a higher layer, as `from → to` strings. */
function upwardImports(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(LIB)) {
    const from = layerOf(path.relative(LIB, file));
    const source = fs.readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+'(\.{1,2}\/[^']+)'/gm)) {
      const target = path.relative(LIB, path.resolve(path.dirname(file), match[3]));
      const to = layerOf(target.endsWith('.js') || target.includes(path.sep) ? target : `${target}.ts`);
      if (to.layer <= from.layer) continue;
      const edge = `${from.name} → ${to.name}`;
      if (match[2] && TYPE_ONLY_UPWARD.has(edge)) continue;
      found.push(`${path.relative(LIB, file)} imports ${match[3]} (${edge})`);
    }
  }
  return found;
}

describe('lib/ layering', () => {
  it('has no import that climbs to a higher layer', () => {
    expect(upwardImports()).toEqual([]);
  });

  it('sees the imports it judges (a check that reads nothing would pass)', () => {
    const pipelineImportsApis = fs.readFileSync(path.join(LIB, 'pipeline', 'interception-handler.ts'), 'utf8').includes("from '../apis/api'");
    expect(pipelineImportsApis).toBe(true);
    expect(layerOf(path.join('apis', 'api.ts')).layer).toBeLessThan(layerOf(path.join('pipeline', 'admit.ts')).layer);
    expect(layerOf('errors.ts').layer).toBe(BUILDING_BLOCK);
  });
});
