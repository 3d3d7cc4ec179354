/** Scripted OpenAI Responses answers for the tests: the shared fake upstream's `responsesScript` and its transcripts. */
import { responsesTranscript, transcriptResponse } from '../../lib/testing/fixtures';

export { responsesScript } from '../../lib/testing/fixtures';
export type { ResponsesStep } from '../../lib/testing/fixtures';

/** The bytes of transcript `lib/testing/fake/transcripts/responses/<name>.sse`. */
export function fixture(name: string): Buffer {
  return responsesTranscript(name);
}

/** The `response` of a transcript's terminal event (what a blocking call answers). */
export function fixtureResponse(name: string): Record<string, any> {
  return transcriptResponse(name);
}
