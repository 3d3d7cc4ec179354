/** The top-level `id` of a JSON answer, read with a byte scan rather than a parse of the whole body. */
import { JsonEditError, topLevelFieldSpan } from '../json/json-edit';

/** The string value of the top-level `id` (the last one, as JSON.parse keeps it), or undefined. */
export function idOfAnswer(answer: Buffer): string | undefined {
  try {
    const span = topLevelFieldSpan(answer, 'id');
    if (!span || answer[span.valueStart] !== 0x22) return undefined;
    return JSON.parse(answer.toString('utf8', span.valueStart, span.valueEnd)) as string;
  } catch (err) {
    if (err instanceof JsonEditError || err instanceof SyntaxError) return undefined;
    throw err;
  }
}
