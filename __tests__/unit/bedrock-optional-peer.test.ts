/** Without the optional @aws-sdk/credential-providers, bedrockProvider needs it only for the default chain and roles, and says so. */
jest.mock('@aws-sdk/credential-providers', () => {
  throw Object.assign(new Error("Cannot find module '@aws-sdk/credential-providers'"), { code: 'MODULE_NOT_FOUND' });
}, { virtual: true });

import { bedrockProvider } from '../../lib';

const KEYS = { accessKeyId: 'AKIAUNITTEST00000001', secretAccessKey: 'unitSecret/000000000000000000000000000000001' };

test('the default chain and roleArn name the package to install, and the option that needs it', () => {
  expect(() => bedrockProvider({ region: 'us-east-1' })).toThrow(/bedrockProvider.*`credentials`.*@aws-sdk\/credential-providers.*npm install @aws-sdk\/credential-providers/);
  expect(() => bedrockProvider({ region: 'us-east-1', credentials: KEYS, roleArn: 'arn:aws:iam::123456789012:role/r' })).toThrow(/`roleArn`.*npm install @aws-sdk\/credential-providers/);
});

test('access keys, a credentials function and API keys need nothing more', () => {
  expect(bedrockProvider({ region: 'us-east-1', credentials: KEYS }).name).toBe('bedrock');
  expect(bedrockProvider({ region: 'us-east-1', credentials: async () => KEYS }).name).toBe('bedrock');
  expect(bedrockProvider({ region: 'us-east-1', apiKeys: ['ABSKunit-key-000000000001'] }).name).toBe('bedrock');
});
