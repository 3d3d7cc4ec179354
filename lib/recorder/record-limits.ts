/** What one record may hold: each client- or upstream-sized text capped (marked, original length kept), and its queued size. */
import { tokenCount } from './token-counts';

/** The text that replaces what was cut: visible in the dashboard, with the original size in UTF-8 bytes. */
export function truncationMarker(originalBytes: number): string {
  return `…[truncated by express-aibridge: ${originalBytes} bytes]`;
}

/** A record as it is queued: possibly a capped copy, and its approximate size for the queue's byte bound. */
export interface LimitedRecord {
  record: object;
  /** Approximate memory the queued record holds: its capped texts (in UTF-16 code units) plus a fixed overhead. */
  bytes: number;
}

/**
 * The most one short label a client or upstream decides (model, tool name, ids, user agent) keeps. Far below
 * PostgreSQL's 2,704-byte index row limit: the model is indexed, and a row over it fails its whole batch.
 */
export const MAX_RECORDED_LABEL_BYTES = 1024;

/** Named counts one usage details object (or a record's `extra`) keeps, and how long their names may be. */
const MAX_DETAIL_ENTRIES = 16;
const MAX_DETAIL_NAME_CHARS = 64;
const MAX_EXTRA_ENTRIES = 64;
/** A detail's name with the prefix its API gives it in `extra` (`completion_`, `server_tool_use_`…). */
const MAX_EXTRA_NAME_CHARS = 96;

/**
 * The finite numbers of an upstream's usage details object, at most MAX_DETAIL_ENTRIES with short names, in order,
 * each a token count ({@link tokenCount}: whole, 0 to MAX_SAFE_INTEGER): the upstream decides how many there are,
 * how long their names are and what they hold, and each one is stored in every record.
 */
export function usageDetails(details: unknown): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  if (!details || typeof details !== 'object') return out;
  for (const [k, v] of Object.entries(details)) {
    if (out.length === MAX_DETAIL_ENTRIES) break;
    if (k.length <= MAX_DETAIL_NAME_CHARS && typeof v === 'number' && Number.isFinite(v)) out.push([k, tokenCount(v)]);
  }
  return out;
}

/** `extra` as kept: at most MAX_EXTRA_ENTRIES numbers with short names; the same object when it already fits. */
function boundedExtra(extra: Record<string, unknown>): Record<string, unknown> {
  const entries = Object.entries(extra);
  const short = ([k]: [string, unknown]): boolean => k.length <= MAX_EXTRA_NAME_CHARS;
  if (entries.length <= MAX_EXTRA_ENTRIES && entries.every(short)) return extra;
  return Object.fromEntries(entries.filter(short).slice(0, MAX_EXTRA_ENTRIES));
}

/** Dates, ids, counts and small strings of one record, whatever its texts (rounded up; a guess, not a measure). */
const RECORD_OVERHEAD_BYTES = 512;

/** The text fields each record method carries whose size a client, an upstream or a tool decides. */
const TEXT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  recordInterceptionEnded: ['errorMessage'],
  recordPromptUsage: ['prompt'],
  recordToolUsage: ['invocationError'],
  recordModelThought: ['content'],
};

/** Short labels of each record method whose size a client or upstream decides, capped at MAX_RECORDED_LABEL_BYTES. */
const LABEL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  recordInterception: ['model', 'upstreamModel', 'userAgent', 'clientSessionId', 'correlatingToolCallId'],
  recordInterceptionEnded: ['errorCode'],
  recordTokenUsage: ['msgId'],
  recordPromptUsage: ['msgId'],
  recordToolUsage: ['msgId', 'tool', 'toolCallId', 'serverUrl'],
  recordModelThought: ['msgId'],
  recordPassthrough: ['path'],
};

/** `s`, or its first whole UTF-8 characters followed by the marker, all within `maxBytes`; undefined when it fits. */
function cut(s: string, maxBytes: number): { text: string; originalBytes: number } | undefined {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: most texts need no byte count at all.
  if (s.length * 3 <= maxBytes) return undefined;
  const originalBytes = Buffer.byteLength(s, 'utf8');
  if (originalBytes <= maxBytes) return undefined;
  const marker = truncationMarker(originalBytes);
  const room = Math.max(0, maxBytes - Buffer.byteLength(marker, 'utf8'));
  const buf = Buffer.allocUnsafe(room);
  // Buffer#write never writes part of a character, so the cut falls on a UTF-8 boundary.
  const written = buf.write(s, 0, room, 'utf8');
  return { text: buf.toString('utf8', 0, written) + marker, originalBytes };
}

/** Tool arguments as the stores keep them: their JSON text (a string stays as it is); undefined when not serialisable. */
function serialised(args: unknown): string | undefined {
  if (typeof args === 'string') return args;
  try {
    return JSON.stringify(args);
  } catch {
    return undefined;
  }
}

/**
 * Caps each text of a record at `maxBytes` (UTF-8) — prompt, thought, error message, invocation error, and tool
 * arguments by their serialised size — and each label (model, tool name, ids) at MAX_RECORDED_LABEL_BYTES, and
 * estimates the size of what is queued. A capped record is a copy whose
 * `extra` gains `<field>Bytes: <original size>`; a record with nothing to cap is returned as it is.
 */
export function limitRecord(what: string, record: object, maxBytes: number): LimitedRecord {
  const fields = TEXT_FIELDS[what];
  let bytes = RECORD_OVERHEAD_BYTES;
  const r = record as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  // Labels are cut whenever texts are (not when only measuring); a label keeps no size in `extra` (a start record
  // has none): its marker says how long it was.
  const labelBytes = maxBytes === Infinity ? Infinity : MAX_RECORDED_LABEL_BYTES;
  for (const field of LABEL_FIELDS[what] ?? []) {
    const v = r[field];
    if (typeof v !== 'string') continue;
    const capped = cut(v, labelBytes);
    if (capped) (out ??= { ...r })[field] = capped.text;
    bytes += capped ? capped.text.length : v.length;
  }
  // A store keeps `extra` whole (a JSON column): the names an upstream invented there are bounded too.
  if (r.extra && typeof r.extra === 'object') {
    const extra = boundedExtra(r.extra as Record<string, unknown>);
    if (extra !== r.extra) (out ??= { ...r }).extra = extra;
  }
  if (!fields) return { record: out ?? record, bytes };
  let extra: Record<string, number> | undefined;
  for (const field of fields) {
    const v = r[field];
    if (typeof v !== 'string') continue;
    const capped = cut(v, maxBytes);
    if (!capped) {
      bytes += v.length;
      continue;
    }
    out ??= { ...r };
    extra ??= { ...(out.extra as Record<string, number> | undefined) };
    out[field] = capped.text;
    extra[`${field}Bytes`] = capped.originalBytes;
    bytes += capped.text.length;
  }
  if (what === 'recordToolUsage' && r.args !== undefined) {
    const text = serialised(r.args);
    const capped = text === undefined ? undefined : cut(text, maxBytes);
    if (capped) {
      out ??= { ...r };
      extra ??= { ...(out.extra as Record<string, number> | undefined) };
      // Cut JSON is no longer JSON: the stored arguments become the cut text, which is what a reader can still use.
      out.args = capped.text;
      extra.argsBytes = capped.originalBytes;
      bytes += capped.text.length;
    } else {
      bytes += text?.length ?? 0;
    }
  }
  if (!out) return { record, bytes };
  if (extra) out.extra = extra;
  return { record: out, bytes };
}

/** Adds the UTF-16 length of each string field of `r` named in `fields`. */
function lengthsOf(r: Record<string, unknown>, fields: readonly string[] | undefined): number {
  let bytes = 0;
  if (fields) {
    for (const field of fields) {
      const v = r[field];
      if (typeof v === 'string') bytes += v.length;
    }
  }
  return bytes;
}

/**
 * The approximate size of a record as {@link limitRecord} estimates it, without capping anything: the same sum,
 * without the copies and checks of capping (a store weighs every record it queues).
 */
export function recordBytes(what: string, record: object): number {
  const r = record as Record<string, unknown>;
  let bytes = RECORD_OVERHEAD_BYTES + lengthsOf(r, LABEL_FIELDS[what]) + lengthsOf(r, TEXT_FIELDS[what]);
  if (what === 'recordToolUsage' && r.args !== undefined) bytes += serialised(r.args)?.length ?? 0;
  return bytes;
}
