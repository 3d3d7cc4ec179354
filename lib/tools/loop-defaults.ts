/** The inner tool loop's defaults, read by the loop when an injector names none and by mcpToolInjector's own defaults. */
export const LOOP_DEFAULTS = {
  /** Calls made with tools before the last call without them. */
  maxIterations: 10,
  /** Deadline of one tool call, in ms. */
  callTimeoutMs: 60_000,
} as const;
