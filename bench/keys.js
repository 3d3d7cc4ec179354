// The pool keys the bench's bridge holds: as long as real ones (OpenAI project keys are 160+ characters), so that every redaction check the bridge makes on what it relays costs what it costs in production.
'use strict';

const realistic = (name) => `sk-proj-bench-${name}-${'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV'.repeat(3)}`;

module.exports = {
  /** The one key of the single-key targets. */
  SINGLE: [realistic('a')],
  /** The first key of the cooling pool, which the fake upstream always rate-limits (retry-after 3600). */
  COOLING: realistic('cool'),
  COOLING_POOL: [realistic('cool'), realistic('b'), realistic('c')],
  /** The Bedrock target's static AWS credentials (SigV4), shaped like real ones; the fake Bedrock knows them. */
  BEDROCK_ACCESS_KEYS: { accessKeyId: 'AKIABENCHBEDROCK0001', secretAccessKey: 'benchSecretAccessKey/000000000000000000000001' },
};
