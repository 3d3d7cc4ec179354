/** The `routes` option is checked at creation: every error names the option and says what is expected. */
import { anthropicProvider, copilotProvider, createBridge, openaiProvider, type BridgeOptions } from '../../lib';

const providers = [
  openaiProvider({ keys: ['sk-opt-openai-1111'] }),
  openaiProvider({ name: 'azure', keys: ['sk-opt-azure-2222'] }),
  anthropicProvider({ keys: ['sk-ant-opt-3333'] }),
  copilotProvider(),
];
const create = (routes: unknown) => () => createBridge({ providers, actor: () => ({ id: 'x' }), routes } as BridgeOptions);

describe('routes option', () => {
  it.each([
    ['not an array', { name: 'auto' }, /`routes` must be an array/],
    ['a route that is not an object', ['auto'], /`routes\[0\]` must be an object/],
    ['an unknown key', [{ name: 'auto', rules: [{ model: '*', providers: ['openai'] }], fallback: true }], /`routes\[0\]\.fallback` is not a known option/],
    ['a bad name', [{ name: 'Auto', rules: [{ model: '*', providers: ['openai'] }] }], /`routes\[0\]\.name` must match/],
    ['a provider\'s name', [{ name: 'openai', rules: [{ model: '*', providers: ['azure'] }] }], /`routes\[0\]\.name` is the name of a provider/],
    ['two routes of one name', [{ name: 'auto', rules: [{ model: '*', providers: ['openai'] }] }, { name: 'auto', rules: [{ model: '*', providers: ['azure'] }] }], /`routes\[1\]\.name` is the name of another route/],
    ['no rules', [{ name: 'auto', rules: [] }], /`routes\[0\]\.rules` must be an array of 1 to/],
    ['a rule without model', [{ name: 'auto', rules: [{ providers: ['openai'] }] }], /`routes\[0\]\.rules\[0\]\.model` must be a model name or pattern/],
    ['an empty pattern', [{ name: 'auto', rules: [{ model: ['gpt-*', ''], providers: ['openai'] }] }], /`routes\[0\]\.rules\[0\]\.model`/],
    ['a regex instead of a pattern', [{ name: 'auto', rules: [{ model: /gpt/, providers: ['openai'] }] }], /`routes\[0\]\.rules\[0\]\.model`/],
    ['no providers', [{ name: 'auto', rules: [{ model: '*', providers: [] }] }], /`routes\[0\]\.rules\[0\]\.providers` must be a non-empty array/],
    ['an unknown provider', [{ name: 'auto', rules: [{ model: '*', providers: ['openai', 'bedrock'] }] }], /`routes\[0\]\.rules\[0\]\.providers` names "bedrock", which is not a provider of this bridge/],
    ['a provider twice', [{ name: 'auto', rules: [{ model: '*', providers: ['openai', 'openai'] }] }], /names "openai" twice/],
    ['providers of different wire formats', [{ name: 'auto', rules: [{ model: '*', providers: ['openai', 'anthropic'] }] }], /must bridge at least one API in common \(the same wire format\)/],
    ['a provider without a key pool', [{ name: 'auto', rules: [{ model: 'claude-*', providers: ['anthropic', 'copilot'] }] }], /names "copilot", which has no key pool/],
    ['an unknown rule key', [{ name: 'auto', rules: [{ model: '*', provider: ['openai'] }] }], /`routes\[0\]\.rules\[0\]\.provider` is not a known option; did you mean `routes\[0\]\.rules\[0\]\.providers`/],
  ])('rejects %s', (_what, routes, message) => {
    expect(create(routes)).toThrow(message);
    expect(create(routes)).toThrow(/^createBridge: option `routes/);
  });

  it('accepts routes over providers that share an API, including one rule per wire format', () => {
    const bridge = create([{ name: 'auto', rules: [{ model: ['gpt-*', 'o3'], providers: ['openai', 'azure'] }, { model: 'claude-*', providers: ['anthropic'] }] }])();
    expect(bridge.stats().routes).toEqual({ auto: { routed: 0, fallbacks: 0, unmatched: 0 } });
    return bridge.close();
  });

  it('leaves stats without routes when none are set', () => {
    const bridge = create(undefined)();
    expect(bridge.stats().routes).toBeUndefined();
    return bridge.close();
  });
});
