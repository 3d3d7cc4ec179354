/** The example's usage store: a SQLite file by default (`AIBRIDGE_DB`), or memory when better-sqlite3 cannot load. */
'use strict';

const path = require('node:path');

const DEFAULT_DB = 'aibridge-example.db';

/** The database `AIBRIDGE_DB` names: a path (relative to the working directory) or `:memory:`; unset → aibridge-example.db. */
function dbFilename(env, cwd = process.cwd()) {
  const name = env.AIBRIDGE_DB === undefined || env.AIBRIDGE_DB === '' ? DEFAULT_DB : env.AIBRIDGE_DB;
  return name === ':memory:' ? name : path.resolve(cwd, name);
}

/**
 * A SqliteRecorder on `filename`. better-sqlite3 is an optional dependency of the package (a native module that may
 * be missing or fail to build), so without it the example still runs, on a MemoryRecorder, and says so. Any other
 * failure (a file it cannot open, a schema from a newer release) stops the app: silently recording nowhere would hide it.
 */
function openUsageStore({ SqliteRecorder, MemoryRecorder, filename, logger }) {
  try {
    const recorder = new SqliteRecorder({ filename, logger });
    return { recorder, describe: filename === ':memory:' ? 'SQLite in memory (AIBRIDGE_DB=:memory:, lost on exit)' : `SQLite file ${filename}` };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!/better-sqlite3/.test(message)) throw new Error(`cannot open the usage database ${filename}: ${message}`);
    return { recorder: new MemoryRecorder(), describe: `memory, lost on exit (${message})`, fallback: true };
  }
}

module.exports = { DEFAULT_DB, dbFilename, openUsageStore };
