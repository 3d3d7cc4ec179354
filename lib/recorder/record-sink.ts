/** Where one interception's observations go: its id and its ordered recording. */
import type { InterceptionRecording } from './safe-recorder';

export interface RecordSink {
  readonly interceptionId: string;
  readonly recording: InterceptionRecording;
}
