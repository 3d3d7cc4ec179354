/** JSON objects: the one type for them, the one check, and reading an upstream answer as one (or nothing). */

/** A parsed JSON object, as the APIs read requests and answers. */
export type JsonObject = Record<string, unknown>;

/** Whether `v` is a JSON object (not null, not an array). */
export function isObject(v: unknown): v is JsonObject {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** The body as a JSON object; undefined for invalid JSON or any other JSON value: what the bridge cannot read it relays as it came. */
export function parseObject(body: Buffer): JsonObject | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  return isObject(parsed) ? parsed : undefined;
}
