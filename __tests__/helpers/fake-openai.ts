/** The tests' fake OpenAI upstream: the shared fake upstream (`lib/testing/`), started with a behaviour. */
import { startFakeUpstream, type Behaviour, type FakeUpstream } from '../../lib/testing/fixtures';

export { chatCompletion, chunk, textStreamEvents, writeSse, COMPLETION_ID } from '../../lib/testing/fixtures';
export type { Behaviour, FakeUpstream, ReceivedRequest } from '../../lib/testing/fixtures';

/** Starts the fake on 127.0.0.1, port 0, answering with `behaviour` first. */
export function startFakeOpenAI(behaviour?: Behaviour): Promise<FakeUpstream> {
  return startFakeUpstream({ behaviour });
}
