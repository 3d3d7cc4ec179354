/** Scripted multi-turn chat-completions answers for the loop tests: `chatScript` of the shared fake upstream. */
export { chatScript } from '../../lib/testing/fixtures';
export type { ScriptStep, ScriptedToolCall } from '../../lib/testing/fixtures';
