/** The UsageSource in SQL, for SQLite and PostgreSQL alike (only placeholders and text ordering differ). */
import type { ModelTokens } from './prices';
import { summaryOf } from './memory-query';
import type { SummaryBase, UsageSource } from './query-engine';
import type { LatencySample } from './latency-percentiles';
import {
  endedFromRow, interceptionFromRow, promptFromRow, thoughtFromRow, tokenUsageFromRow, toolUsageFromRow, type SqlValue,
} from './rows';
import type { Dialect } from './schema';
import { filterEntries, type CountRow, type CursorPosition, type TokenRow } from './usage-fold';
import type { InterceptionDetail, ToolStat, UsageDimension, UsageQueryBase } from './usage-query';

export type SqlRow = Record<string, unknown>;

/** What the query layer needs from a store's connection. */
export interface SqlReader {
  readonly dialect: Dialect;
  /** The table's name as written in SQL (schema-qualified and quoted where needed). */
  table(name: string): string;
  all(sql: string, params: SqlValue[]): Promise<SqlRow[]>;
}

/** Collects parameters and hands out the dialect's placeholders. */
class Params {
  readonly values: SqlValue[] = [];
  constructor(private readonly dialect: Dialect) {}
  add(v: SqlValue): string {
    this.values.push(v);
    return this.dialect === 'postgres' ? `$${this.values.length}` : '?';
  }
}

const COLUMN_OF: Record<UsageDimension, string> = {
  actor: 'i.initiator_id', model: 'i.model', provider: 'i.provider_name', client: "COALESCE(i.client, '')",
};

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** Answers UsageSource questions with one or two SQL statements each. */
export class SqlUsageSource implements UsageSource {
  constructor(private readonly db: SqlReader) {}

  async counts(q: UsageQueryBase, by?: UsageDimension, bucket?: number): Promise<CountRow[]> {
    const p = new Params(this.db.dialect);
    const where = this.where(q, p);
    const rows = await this.db.all(
      `SELECT ${this.groupColumns(by, bucket)}, COUNT(*) AS n,
        SUM(CASE WHEN i.status = 'completed' THEN 1 ELSE 0 END) AS completed,
        SUM(CASE WHEN i.status = 'failed' THEN 1 ELSE 0 END) AS failed,
        SUM(CASE WHEN i.status = 'aborted' THEN 1 ELSE 0 END) AS aborted
      FROM ${this.db.table('interceptions')} i WHERE ${where} GROUP BY 1, 2, 3`,
      p.values,
    );
    return rows.map((r) => ({
      key: String(r.k), bucket: num(r.b), model: String(r.model), interceptions: num(r.n), completed: num(r.completed),
      failed: num(r.failed), aborted: num(r.aborted),
    }));
  }

  async tokens(q: UsageQueryBase, by?: UsageDimension, bucket?: number): Promise<TokenRow[]> {
    const p = new Params(this.db.dialect);
    const where = this.where(q, p);
    const rows = await this.db.all(
      `SELECT ${this.groupColumns(by, bucket)}, SUM(t.input) AS input, SUM(t.output) AS output,
        SUM(t.cache_read) AS cache_read, SUM(t.cache_write) AS cache_write
      FROM ${this.db.table('token_usages')} t JOIN ${this.db.table('interceptions')} i ON i.id = t.interception_id
      WHERE ${where} GROUP BY 1, 2, 3`,
      p.values,
    );
    return rows.map((r) => ({
      key: String(r.k), bucket: num(r.b), model: String(r.model), input: num(r.input), output: num(r.output),
      cacheRead: num(r.cache_read), cacheWrite: num(r.cache_write),
    }));
  }

  async tools(q: UsageQueryBase): Promise<ToolStat[]> {
    const p = new Params(this.db.dialect);
    const where = this.where(q, p);
    const rows = await this.db.all(
      `SELECT u.tool AS tool, u.server_url AS server_url, u.injected AS injected, COUNT(*) AS calls,
        SUM(CASE WHEN u.invocation_error IS NOT NULL THEN 1 ELSE 0 END) AS errors
      FROM ${this.db.table('tool_usages')} u JOIN ${this.db.table('interceptions')} i ON i.id = u.interception_id
      WHERE ${where} GROUP BY u.tool, u.server_url, u.injected`,
      p.values,
    );
    return rows.map((r) => {
      const s: ToolStat = { tool: String(r.tool), injected: num(r.injected) === 1, calls: num(r.calls), errors: num(r.errors) };
      if (r.server_url !== null && r.server_url !== undefined) s.serverUrl = String(r.server_url);
      return s;
    });
  }

  async interceptions(q: UsageQueryBase, limit: number, after?: CursorPosition): Promise<SummaryBase[]> {
    const p = new Params(this.db.dialect);
    let where = this.where(q, p);
    const id = this.textOrder('i.id');
    if (after) {
      where += ` AND (i.started_at < ${p.add(after.startedAt)} OR (i.started_at = ${p.add(after.startedAt)} AND ${id} < ${p.add(after.id)}))`;
    }
    const rows = await this.db.all(
      `SELECT i.* FROM ${this.db.table('interceptions')} i WHERE ${where} ORDER BY i.started_at DESC, ${id} DESC LIMIT ${Math.floor(limit)}`,
      p.values,
    );
    return rows.map((r) => summaryOf(interceptionFromRow(r), endedFromRow(r)));
  }

  async tokensOf(ids: string[]): Promise<Map<string, ModelTokens>> {
    const out = new Map<string, ModelTokens>();
    if (ids.length === 0) return out;
    const p = new Params(this.db.dialect);
    const list = ids.map((id) => p.add(id)).join(', ');
    const rows = await this.db.all(
      `SELECT interception_id, SUM(input) AS input, SUM(output) AS output, SUM(cache_read) AS cache_read, SUM(cache_write) AS cache_write
      FROM ${this.db.table('token_usages')} WHERE interception_id IN (${list}) GROUP BY interception_id`,
      p.values,
    );
    for (const r of rows) {
      out.set(String(r.interception_id), { input: num(r.input), output: num(r.output), cacheRead: num(r.cache_read), cacheWrite: num(r.cache_write) });
    }
    return out;
  }

  async detail(id: string): Promise<Omit<InterceptionDetail, 'cost'> | undefined> {
    const placeholder = this.db.dialect === 'postgres' ? '$1' : '?';
    const [row] = await this.db.all(
      `SELECT * FROM ${this.db.table('interceptions')} WHERE id = ${placeholder} AND started_at IS NOT NULL`, [id],
    );
    if (!row) return undefined;
    const children = (table: string) => this.db.all(
      `SELECT * FROM ${this.db.table(table)} WHERE interception_id = ${placeholder} ORDER BY created_at, seq`, [id],
    );
    const [tokens, prompts, tools, thoughts] = await Promise.all(
      [children('token_usages'), children('prompts'), children('tool_usages'), children('model_thoughts')],
    );
    const ended = endedFromRow(row);
    return {
      interception: interceptionFromRow(row),
      ...(ended ? { ended } : {}),
      tokenUsages: tokens.map(tokenUsageFromRow),
      prompts: prompts.map(promptFromRow),
      tools: tools.map(toolUsageFromRow),
      thoughts: thoughts.map(thoughtFromRow),
    };
  }

  async latencies(q: UsageQueryBase, limit: number): Promise<LatencySample[]> {
    const p = new Params(this.db.dialect);
    const where = this.where(q, p);
    const rows = await this.db.all(
      `SELECT i.gateway_ms AS g, i.upstream_first_byte_ms AS u FROM ${this.db.table('interceptions')} i
      WHERE ${where} AND i.gateway_ms IS NOT NULL ORDER BY i.started_at DESC LIMIT ${Math.floor(limit)}`,
      p.values,
    );
    return rows.map((r) => (r.u === null || r.u === undefined ? { gateway: Number(r.g) } : { gateway: Number(r.g), upstream: Number(r.u) }));
  }

  /** Interceptions whose start was recorded, in the range, matching every filter. */
  private where(q: UsageQueryBase, p: Params): string {
    const conds = ['i.started_at IS NOT NULL'];
    const from = q.range?.from?.getTime();
    const to = q.range?.to?.getTime();
    if (from !== undefined) conds.push(`i.started_at >= ${p.add(from)}`);
    if (to !== undefined) conds.push(`i.started_at < ${p.add(to)}`);
    for (const [dim, v] of filterEntries(q.filter)) {
      // '' is the key of interceptions without a client, so filtering on it finds them; other values use the index.
      conds.push(dim === 'client' && v === '' ? "COALESCE(i.client, '') = ''" : `${COLUMN_OF[dim].replace(/^COALESCE\((i\.\w+).*$/, '$1')} = ${p.add(v)}`);
    }
    return conds.join(' AND ');
  }

  /** `k` (the dimension or ''), `b` (bucket start in ms, or 0) and `model`. Bucket sizes are our own constants. */
  private groupColumns(by: UsageDimension | undefined, bucket: number | undefined): string {
    const key = by ? COLUMN_OF[by] : "''";
    const b = bucket ? `(i.started_at / ${Math.floor(bucket)}) * ${Math.floor(bucket)}` : '0';
    return `${key} AS k, ${b} AS b, i.model AS model`;
  }

  /** Code-unit order for ids in PostgreSQL too (its default collation would order differently from the other stores). */
  private textOrder(expr: string): string {
    return this.db.dialect === 'postgres' ? `${expr} COLLATE "C"` : expr;
  }
}
