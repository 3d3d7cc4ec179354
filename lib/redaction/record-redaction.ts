/** The redaction step every record passes before it is queued for the recorder (so never a store, nor the dashboard). */
import type { Redactor } from './redactor';

/**
 * `record` with every string field redacted (prompts, tool arguments and errors, error messages, metadata…): pool
 * keys and the interception's own BYOK key become their hints. The same object when nothing matched.
 */
export function redactRecord<R>(record: R, redactor: Redactor | undefined, byok: string | undefined): R {
  return redactor ? redactor.record(record, byok) : record;
}
