/** Scripted Anthropic Messages answers for the tests: the shared fake upstream's `anthropicScript` and its transcripts. */
import { anthropicTranscript } from '../../fake-upstream';

export { anthropicScript, anthropicMessage, anthropicStream, writeAnthropicSse } from '../../fake-upstream';
export type { AnthropicStep, AnthropicToolCall } from '../../fake-upstream';

/** The text of transcript `fake-upstream/transcripts/anthropic/<name>.sse`, e.g. `thinking-text`. */
export function transcript(name: string): string {
  return anthropicTranscript(name);
}
