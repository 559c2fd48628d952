// Identity-provider settings: JWKS from discovery when JWKS_URI is unset, ROLES_CLAIM as a name or a
// dotted path, once for every issuer or once per issuer.
import { describe, expect, it } from 'vitest';
import { loadAuthConfig } from '../../../functions/shared/config';
import { claimAt, rolesFromClaim } from '../../../functions/shared/core/principal';

describe('loadAuthConfig for identity providers', () => {
  it('leaves the JWKS to discovery when JWKS_URI is unset, and refuses a plain-http issuer off loopback', () => {
    expect(loadAuthConfig({ JWT_ISSUER: 'https://id.example.com/realms/acme' }).issuers).toEqual([
      { issuer: 'https://id.example.com/realms/acme', jwksUri: null, rolesClaim: 'roles' },
    ]);
    expect(() => loadAuthConfig({ JWT_ISSUER: 'http://id.example.com' })).toThrow(/JWT_ISSUER: must be https/);
  });

  it('takes one ROLES_CLAIM for every issuer, or one per issuer in order, and nothing in between', () => {
    const two = { JWT_ISSUER: 'https://a.example.com,https://b.example.com' };
    expect(loadAuthConfig({ ...two, ROLES_CLAIM: 'realm_access.roles' }).issuers.map((i) => i.rolesClaim)).toEqual(['realm_access.roles', 'realm_access.roles']);
    expect(loadAuthConfig({ ...two, ROLES_CLAIM: 'cognito:groups,roles' }).issuers.map((i) => i.rolesClaim)).toEqual(['cognito:groups', 'roles']);
    const three = { JWT_ISSUER: 'https://a.example.com,https://b.example.com,https://c.example.com' };
    expect(() => loadAuthConfig({ ...three, ROLES_CLAIM: 'a,b' })).toThrow(/ROLES_CLAIM: needs one entry, or one entry per JWT_ISSUER entry/);
  });
});

describe('claimAt', () => {
  const claims = {
    realm_access: { roles: ['admin'] },
    resource_access: { 'threadguard-api': { roles: ['guest'] } },
    'https://threadguard.example/roles': ['admin'],
    'cognito:groups': ['guest'],
    flat: 'admin',
  };

  it.each([
    ['realm_access.roles', ['admin']],
    ['https://threadguard.example/roles', ['admin']], // a top-level name with dots wins over the path
    ['cognito:groups', ['guest']],
    ['resource_access.threadguard-api.roles', ['guest']],
    ['realm_access.missing', ['user']],
    ['flat.length', ['user']], // never walks into a string
    ['realm_access.roles.0', ['user']], // nor into an array
  ])('reads %s', (path, roles) => {
    expect(rolesFromClaim(claimAt(claims, path))).toEqual(roles);
  });

  it('does not read inherited properties', () => {
    expect(claimAt({}, 'constructor')).toBeUndefined();
    expect(claimAt({ a: {} }, 'a.toString')).toBeUndefined();
  });
});
