/** Records to SQL row values and back, the same for both SQL dialects. */
import type {
  InterceptionEndedRecord, InterceptionRecord, ModelThoughtRecord, PassthroughRecord, PromptUsageRecord, TokenUsageRecord,
  ToolUsageRecord,
} from './types';
import { tokenCount } from './token-counts';

/** A child record's unique key (`record_key`), given when it is queued, so writing its batch again adds nothing. */
type Keyed = { key: string };

/** One record waiting in the writer's queue, tagged with what it is. */
export type QueuedRecord =
  | { kind: 'start'; r: InterceptionRecord }
  | { kind: 'end'; r: InterceptionEndedRecord }
  | ({ kind: 'token'; r: TokenUsageRecord } & Keyed)
  | ({ kind: 'prompt'; r: PromptUsageRecord } & Keyed)
  | ({ kind: 'tool'; r: ToolUsageRecord } & Keyed)
  | ({ kind: 'thought'; r: ModelThoughtRecord } & Keyed)
  | { kind: 'passthrough'; r: PassthroughRecord };

export type RecordKind = QueuedRecord['kind'];
export type SqlValue = string | number | null;

/** The interception columns a start writes (an upsert: a start never overwrites end columns, nor the reverse). */
export const START_COLUMNS = [
  'id', 'initiator_id', 'provider', 'provider_name', 'route', 'model', 'streaming', 'started_at', 'user_agent', 'client',
  'client_session_id', 'credential_kind', 'credential_hint', 'correlating_tool_call_id', 'metadata', 'content_mode',
  'upstream_model',
];
export const END_COLUMNS = [
  'id', 'ended_at', 'status', 'http_status', 'error_type', 'error_message', 'end_credential_hint', 'attempts', 'end_extra',
  'gateway_ms', 'upstream_first_byte_ms', 'error_code', 'guard_edits',
];

/** Where each kind goes; for child tables the columns are those of `columnsOf(table)`. */
export const TABLE_OF: Record<RecordKind, string> = {
  start: 'interceptions', end: 'interceptions', token: 'token_usages', prompt: 'prompts', tool: 'tool_usages',
  thought: 'model_thoughts', passthrough: 'passthrough_calls',
};

const str = (v: unknown): SqlValue => (v === undefined || v === null ? null : String(v));
const int = (v: unknown): SqlValue => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null);
const real = (v: unknown): SqlValue => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const ms = (v: unknown): SqlValue => (v instanceof Date ? int(v.getTime()) : int(v));
const bool = (v: unknown): number => (v ? 1 : 0);

/** JSON text, or null when absent or not serialisable (a record must never fail a whole batch). */
function json(v: unknown): SqlValue {
  if (v === undefined) return null;
  try {
    return JSON.stringify(v) ?? null;
  } catch {
    return null;
  }
}

/**
 * Writes the values of one queued record into `out` from index `at`, in the column order its statement uses, and
 * returns the index after them. `withId: false` leaves out an end record's id (a `whole` row has it from its start).
 * Writing in place, into one array per batch group, spares an array per record and the copies of a later flattening.
 */
export function writeRow(q: QueuedRecord, out: SqlValue[], at: number, withId = true): number {
  let i = at;
  switch (q.kind) {
    case 'start': {
      const r = q.r;
      out[i++] = str(r.id); out[i++] = str(r.initiatorId); out[i++] = str(r.provider); out[i++] = str(r.providerName);
      out[i++] = str(r.route); out[i++] = str(r.model); out[i++] = bool(r.streaming); out[i++] = ms(r.startedAt);
      out[i++] = str(r.userAgent); out[i++] = str(r.client); out[i++] = str(r.clientSessionId); out[i++] = str(r.credentialKind);
      out[i++] = str(r.credentialHint); out[i++] = str(r.correlatingToolCallId); out[i++] = json(r.metadata);
      out[i++] = str(r.contentMode); out[i++] = str(r.upstreamModel);
      return i;
    }
    case 'end': {
      const r = q.r;
      if (withId) out[i++] = str(r.id);
      out[i++] = ms(r.endedAt); out[i++] = str(r.status); out[i++] = int(r.httpStatus); out[i++] = str(r.errorType);
      out[i++] = str(r.errorMessage); out[i++] = str(r.credentialHint); out[i++] = json(r.attempts); out[i++] = json(r.extra);
      out[i++] = real(r.gatewayMs); out[i++] = real(r.upstreamFirstByteMs); out[i++] = str(r.errorCode);
      out[i++] = json(r.guardEdits);
      return i;
    }
    case 'token': {
      const r = q.r;
      out[i++] = str(r.interceptionId); out[i++] = str(r.msgId); out[i++] = tokenCount(r.input); out[i++] = tokenCount(r.output);
      out[i++] = tokenCount(r.cacheRead); out[i++] = tokenCount(r.cacheWrite); out[i++] = json(r.extra); out[i++] = ms(r.createdAt);
      out[i++] = q.key;
      return i;
    }
    case 'prompt': {
      const r = q.r;
      out[i++] = str(r.interceptionId); out[i++] = str(r.msgId); out[i++] = str(r.prompt); out[i++] = ms(r.createdAt);
      out[i++] = json(r.extra); out[i++] = q.key;
      return i;
    }
    case 'tool': {
      const r = q.r;
      out[i++] = str(r.interceptionId); out[i++] = str(r.msgId); out[i++] = str(r.tool); out[i++] = str(r.toolCallId);
      out[i++] = str(r.serverUrl); out[i++] = json(r.args); out[i++] = bool(r.injected); out[i++] = str(r.invocationError);
      out[i++] = ms(r.createdAt); out[i++] = json(r.extra); out[i++] = q.key;
      return i;
    }
    case 'thought': {
      const r = q.r;
      out[i++] = str(r.interceptionId); out[i++] = str(r.msgId); out[i++] = str(r.content); out[i++] = str(r.source);
      out[i++] = ms(r.createdAt); out[i++] = json(r.extra); out[i++] = q.key;
      return i;
    }
    case 'passthrough': {
      const r = q.r;
      out[i++] = str(r.id); out[i++] = str(r.initiatorId); out[i++] = str(r.providerName); out[i++] = str(r.method);
      out[i++] = str(r.path); out[i++] = int(r.httpStatus); out[i++] = int(r.durationMs); out[i++] = str(r.credentialHint);
      out[i++] = ms(r.createdAt);
      return i;
    }
  }
}

/** The values of one queued record, in the column order its statement uses. */
export function rowOf(q: QueuedRecord): SqlValue[] {
  const out: SqlValue[] = [];
  writeRow(q, out, 0);
  return out;
}

type Row = Record<string, unknown>;

const num = (v: unknown): number => Number(v);
const date = (v: unknown): Date => new Date(Number(v));
const parse = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

/** Sets `key` on `target` only when the column has a value, so round-tripped records have no `undefined` keys. */
function opt<T extends object, K extends keyof T>(target: T, key: K, v: unknown, map: (v: unknown) => T[K]): void {
  if (v !== null && v !== undefined) target[key] = map(v);
}

export function interceptionFromRow(row: Row): InterceptionRecord {
  const r: InterceptionRecord = {
    id: String(row.id), initiatorId: String(row.initiator_id), provider: row.provider as InterceptionRecord['provider'],
    providerName: String(row.provider_name), route: String(row.route), model: String(row.model), streaming: num(row.streaming) === 1,
    startedAt: date(row.started_at), credentialKind: row.credential_kind as InterceptionRecord['credentialKind'],
  };
  opt(r, 'metadata', row.metadata, (v) => parse(v) as Record<string, unknown>);
  opt(r, 'userAgent', row.user_agent, String);
  opt(r, 'client', row.client, String);
  opt(r, 'clientSessionId', row.client_session_id, String);
  opt(r, 'credentialHint', row.credential_hint, String);
  opt(r, 'correlatingToolCallId', row.correlating_tool_call_id, String);
  opt(r, 'contentMode', row.content_mode, (v) => v as InterceptionRecord['contentMode']);
  opt(r, 'upstreamModel', row.upstream_model, String);
  return r;
}

/** The end of an interception row, or undefined while it has not ended. */
export function endedFromRow(row: Row): InterceptionEndedRecord | undefined {
  if (row.status === null || row.status === undefined) return undefined;
  const r: InterceptionEndedRecord = { id: String(row.id), endedAt: date(row.ended_at), status: row.status as InterceptionEndedRecord['status'] };
  opt(r, 'httpStatus', row.http_status, num);
  opt(r, 'errorType', row.error_type, (v) => v as InterceptionEndedRecord['errorType']);
  opt(r, 'errorCode', row.error_code, String);
  opt(r, 'errorMessage', row.error_message, String);
  opt(r, 'gatewayMs', row.gateway_ms, num);
  opt(r, 'upstreamFirstByteMs', row.upstream_first_byte_ms, num);
  opt(r, 'credentialHint', row.end_credential_hint, String);
  opt(r, 'attempts', row.attempts, (v) => parse(v) as InterceptionEndedRecord['attempts']);
  opt(r, 'extra', row.end_extra, (v) => parse(v) as Record<string, number>);
  opt(r, 'guardEdits', row.guard_edits, (v) => parse(v) as InterceptionEndedRecord['guardEdits']);
  return r;
}

export function tokenUsageFromRow(row: Row): TokenUsageRecord {
  const r: TokenUsageRecord = {
    interceptionId: String(row.interception_id), msgId: String(row.msg_id), input: num(row.input), output: num(row.output),
    cacheRead: num(row.cache_read), cacheWrite: num(row.cache_write), createdAt: date(row.created_at),
  };
  opt(r, 'extra', row.extra, (v) => parse(v) as Record<string, number>);
  return r;
}

export function promptFromRow(row: Row): PromptUsageRecord {
  const r: PromptUsageRecord = { interceptionId: String(row.interception_id), msgId: String(row.msg_id), prompt: String(row.prompt), createdAt: date(row.created_at) };
  opt(r, 'extra', row.extra, (v) => parse(v) as Record<string, number>);
  return r;
}

export function toolUsageFromRow(row: Row): ToolUsageRecord {
  const r: ToolUsageRecord = {
    interceptionId: String(row.interception_id), msgId: String(row.msg_id), tool: String(row.tool), toolCallId: String(row.tool_call_id),
    args: row.args === null ? undefined : parse(row.args), injected: num(row.injected) === 1, createdAt: date(row.created_at),
  };
  opt(r, 'serverUrl', row.server_url, String);
  opt(r, 'invocationError', row.invocation_error, String);
  opt(r, 'extra', row.extra, (v) => parse(v) as Record<string, number>);
  return r;
}

export function thoughtFromRow(row: Row): ModelThoughtRecord {
  const r: ModelThoughtRecord = {
    interceptionId: String(row.interception_id), msgId: String(row.msg_id), content: String(row.content),
    source: row.source as ModelThoughtRecord['source'], createdAt: date(row.created_at),
  };
  opt(r, 'extra', row.extra, (v) => parse(v) as Record<string, number>);
  return r;
}

export function passthroughFromRow(row: Row): PassthroughRecord {
  const r: PassthroughRecord = {
    id: String(row.id), initiatorId: String(row.initiator_id), providerName: String(row.provider_name), method: String(row.method),
    path: String(row.path), httpStatus: num(row.http_status), durationMs: num(row.duration_ms), createdAt: date(row.created_at),
  };
  opt(r, 'credentialHint', row.credential_hint, String);
  return r;
}
