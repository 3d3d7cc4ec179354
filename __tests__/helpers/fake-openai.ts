/** The tests' fake OpenAI upstream: the shared `fake-upstream/` module, started with a behaviour. */
import { startFakeUpstream, type Behaviour, type FakeUpstream } from '../../fake-upstream';

export { chatCompletion, chunk, textStreamEvents, writeSse, COMPLETION_ID } from '../../fake-upstream';
export type { Behaviour, FakeUpstream, ReceivedRequest } from '../../fake-upstream';

/** Starts the fake on 127.0.0.1, port 0, answering with `behaviour` first. */
export function startFakeOpenAI(behaviour?: Behaviour): Promise<FakeUpstream> {
  return startFakeUpstream({ behaviour });
}
