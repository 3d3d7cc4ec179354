/** Reads an upstream answer as a JSON object, or nothing: what the bridge cannot read it relays as it came. */

export type JsonRecord = Record<string, unknown>;

/** The body as a JSON object; undefined for invalid JSON or any other JSON value. */
export function parseObject(body: Buffer): JsonRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as JsonRecord) : undefined;
}
