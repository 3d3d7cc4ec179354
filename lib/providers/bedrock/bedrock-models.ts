/** Which Bedrock model a client's model name invokes, and the invoke path that names it. */
import type { BedrockSettings } from './bedrock-options';

// Already a Bedrock id: `anthropic.claude-…`, with an inference-profile prefix (`us.`, `eu.`, `apac.`, `global.`), or an ARN.
const BEDROCK_ID = /^(?:(?:[a-z]{2,6}\.)?anthropic\.|arn:aws[a-z-]*:bedrock:)/;
// Claude Code's small, fast model (`claude-3-5-haiku-…`, `claude-haiku-4-5`).
const SMALL_FAST = /haiku/i;

/** Maps client model names to Bedrock model ids, by the rules of {@link BedrockSettings}. */
export type ModelMapping = (clientModel: string) => string;

/**
 * In order: the exact name in `models`; a name that already is a Bedrock id or ARN, as it is; a `haiku` name to
 * `smallFastModel`; any other to `model`; without those, the name as given (Bedrock answers an unknown one with a 400).
 */
export function modelMapping(settings: Pick<BedrockSettings, 'models' | 'model' | 'smallFastModel'>): ModelMapping {
  const { models, model, smallFastModel } = settings;
  return function bedrockModel(clientModel) {
    const mapped = models.get(clientModel);
    if (mapped !== undefined) return mapped;
    if (BEDROCK_ID.test(clientModel)) return clientModel;
    if (smallFastModel !== undefined && SMALL_FAST.test(clientModel)) return smallFastModel;
    return model ?? clientModel;
  };
}

/** The invoke path's segments (the bridge encodes them: an ARN's `/` and `:` go percent-encoded, as Bedrock wants). */
export function invokeSegments(modelId: string, streaming: boolean): string[] {
  return ['model', modelId, streaming ? 'invoke-with-response-stream' : 'invoke'];
}
