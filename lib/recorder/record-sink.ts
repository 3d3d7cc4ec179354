/** Where one interception's observations go: its id and its ordered recording. */
import type { InterceptionRecording } from './safe-recorder';
import type { TurnMetrics } from '../observability/metrics/types';
import type { InterceptionTrace } from '../observability/tracing/interception-trace';

export interface RecordSink {
  readonly interceptionId: string;
  readonly recording: InterceptionRecording;
  /** Where turns report tokens and tool calls for metrics; absent when metrics are off. */
  readonly metrics?: TurnMetrics;
  /** Where each upstream call's usage is counted against the budgets; absent when none covers the request. */
  readonly limits?: { spend(usage: { input: number; output: number; cacheRead: number; cacheWrite: number }): void };
  /** Where turns report tokens, loop iterations and tool calls for traces; absent when tracing is off. */
  readonly tracing?: InterceptionTrace;
}
