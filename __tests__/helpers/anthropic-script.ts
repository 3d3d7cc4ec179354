/** Scripted Anthropic Messages answers for the tests: the shared fake upstream's `anthropicScript` and its transcripts. */
import { anthropicTranscript } from '../../lib/testing/fixtures';

export { anthropicScript, anthropicMessage, anthropicStream, writeAnthropicSse } from '../../lib/testing/fixtures';
export type { AnthropicStep, AnthropicToolCall } from '../../lib/testing/fixtures';

/** The text of transcript `lib/testing/fake/transcripts/anthropic/<name>.sse`, e.g. `thinking-text`. */
export function transcript(name: string): string {
  return anthropicTranscript(name);
}
