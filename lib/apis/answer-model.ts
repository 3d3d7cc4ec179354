/** The model an upstream answer says answered, bounded: it reaches spans, and the upstream decides its length. */

/** Longer names are cut: no real model id comes close, and a hostile upstream must not fill a span. */
export const MAX_ANSWER_MODEL_CHARS = 256;

/** `value` when it is a non-empty string (cut at {@link MAX_ANSWER_MODEL_CHARS} characters); otherwise undefined. */
export function answerModel(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return value.length > MAX_ANSWER_MODEL_CHARS ? value.slice(0, MAX_ANSWER_MODEL_CHARS) : value;
}
