/** Scripted OpenAI Responses answers for the tests: the shared fake upstream's `responsesScript` and its transcripts. */
import { responsesTranscript, transcriptResponse } from '../../fake-upstream';

export { responsesScript } from '../../fake-upstream';
export type { ResponsesStep } from '../../fake-upstream';

/** The bytes of transcript `fake-upstream/transcripts/responses/<name>.sse`. */
export function fixture(name: string): Buffer {
  return responsesTranscript(name);
}

/** The `response` of a transcript's terminal event (what a blocking call answers). */
export function fixtureResponse(name: string): Record<string, any> {
  return transcriptResponse(name);
}
