// AGENT_PROVIDER / AGENT_MODEL / AGENT_MAX_OUTPUT_TOKENS: defaults per provider, and a startup error
// that names the variable for anything else.
import { describe, expect, it } from 'vitest';
import { loadModelConfig } from '../../../functions/shared/config';
import { ConfigError } from '../../../functions/shared/core/errors';

describe('loadModelConfig', () => {
  it('defaults to the offline rules model', () => {
    expect(loadModelConfig({})).toEqual({ provider: 'rules', model: 'task-manager-rules', maxOutputTokens: 1024 });
  });

  it.each([
    [{ AGENT_PROVIDER: 'bedrock' }, { provider: 'bedrock', model: 'amazon.nova-lite-v1:0' }],
    [{ AGENT_PROVIDER: 'bedrock', AGENT_MODEL: 'us.anthropic.claude-3-5-haiku-20241022-v1:0' }, { provider: 'bedrock', model: 'us.anthropic.claude-3-5-haiku-20241022-v1:0' }],
    [{ AGENT_PROVIDER: 'openai' }, { provider: 'openai', model: 'gpt-4.1-mini' }],
    [{ AGENT_PROVIDER: 'openai', AGENT_MODEL: 'ft:gpt-4o-mini:acme::abc123', AGENT_MAX_OUTPUT_TOKENS: '256' }, { provider: 'openai', model: 'ft:gpt-4o-mini:acme::abc123', maxOutputTokens: 256 }],
  ])('reads %o', (env, expected) => {
    expect(loadModelConfig(env)).toMatchObject(expected);
  });

  it.each([
    [{ AGENT_PROVIDER: 'anthropic' }, 'AGENT_PROVIDER: must be one of rules, bedrock, openai'],
    [{ AGENT_PROVIDER: 'Bedrock' }, 'AGENT_PROVIDER'],
    [{ AGENT_PROVIDER: 'bedrock', AGENT_MODEL: 'arn:aws:bedrock:us-east-1::foundation-model/x' }, 'AGENT_MODEL'],
    [{ AGENT_PROVIDER: 'bedrock', AGENT_MODEL: 'nova lite' }, 'AGENT_MODEL'],
    [{ AGENT_MAX_OUTPUT_TOKENS: '0' }, 'AGENT_MAX_OUTPUT_TOKENS: must be a positive integer'],
  ])('refuses %o at startup, naming the variable', (env, message) => {
    expect(() => loadModelConfig(env)).toThrow(ConfigError);
    expect(() => loadModelConfig(env)).toThrow(message);
  });
});
