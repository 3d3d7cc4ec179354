/** Scripted multi-turn chat-completions answers for the loop tests: `chatScript` of the shared fake upstream. */
export { chatScript } from '../../fake-upstream';
export type { ScriptStep, ScriptedToolCall } from '../../fake-upstream';
