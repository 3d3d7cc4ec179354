/** The Anthropic Messages body and headers as Bedrock takes them: no `model`/`stream`, its `anthropic_version`, betas in the body. */
import { objectFields } from '../../json/json-edit';

/** The API version Bedrock's Anthropic models take, in the body. */
export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

/**
 * Top-level fields Bedrock refuses in the body: `model` (it is in the path) and `stream` (the path says it), and
 * features of Anthropic's own API that Bedrock does not serve (an "extraneous key" error otherwise): `service_tier`
 * (Anthropic's priority tier), `container` (code-execution containers), `mcp_servers` (Anthropic's MCP connector).
 * A client's own `anthropic_version` and `anthropic_beta` are replaced by the bridge's.
 */
export const REMOVED_BODY_FIELDS: ReadonlySet<string> = new Set([
  'model', 'stream', 'service_tier', 'container', 'mcp_servers', 'anthropic_version', 'anthropic_beta',
]);

/**
 * The `anthropic-beta` values Bedrock accepts, passed on in the body's `anthropic_beta`; every other beta a client
 * names (Claude Code's `claude-code-…`, `oauth-…`, prompt-caching scopes) is dropped, since Bedrock refuses a request
 * naming a beta it does not know.
 */
export const BEDROCK_BETAS: ReadonlySet<string> = new Set([
  'computer-use-2024-10-22',
  'computer-use-2025-01-24',
  'token-efficient-tools-2025-02-19',
  'interleaved-thinking-2025-05-14',
  'output-128k-2025-02-19',
  'dev-full-thinking-2025-05-14',
  'context-1m-2025-08-07',
  'context-management-2025-06-27',
  'fine-grained-tool-streaming-2025-05-14',
  'tool-search-tool-2025-10-19',
]);

/**
 * Request headers that never go to Bedrock: Anthropic's own (`anthropic-version`, `anthropic-beta`, … — the version
 * and betas travel in the body), any client credential, and a content encoding (the body is rewritten).
 */
export function isDroppedHeader(name: string): boolean {
  return name.startsWith('anthropic-') || name === 'x-api-key' || name === 'authorization' || name === 'content-encoding';
}

/** The betas of an `anthropic-beta` header (comma-separated, possibly repeated) that Bedrock accepts, each once. */
export function bedrockBetas(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const kept = new Set<string>();
  for (const value of Array.isArray(header) ? header : [header]) {
    for (const part of value.split(',')) {
      const beta = part.trim();
      if (BEDROCK_BETAS.has(beta)) kept.add(beta);
    }
  }
  return [...kept];
}

/**
 * `raw` (an Anthropic Messages body) for Bedrock: without {@link REMOVED_BODY_FIELDS}, with `anthropic_version` and,
 * when there are any, `anthropic_beta`. Every other field's value keeps its bytes. Bodies that are not a JSON object
 * (never a bridged one: the API checked it) go as they are.
 */
export function bedrockBody(raw: Buffer, betas: readonly string[]): Buffer {
  let fields;
  try {
    fields = objectFields(raw);
  } catch {
    return raw;
  }
  const parts: Buffer[] = [Buffer.from('{')];
  for (const f of fields) {
    if (REMOVED_BODY_FIELDS.has(f.key)) continue;
    parts.push(Buffer.from(`${JSON.stringify(f.key)}:`), raw.subarray(f.valueStart, f.valueEnd), Buffer.from(','));
  }
  const beta = betas.length === 0 ? '' : `,"anthropic_beta":${JSON.stringify(betas)}`;
  parts.push(Buffer.from(`"anthropic_version":${JSON.stringify(BEDROCK_ANTHROPIC_VERSION)}${beta}}`));
  return Buffer.concat(parts);
}
