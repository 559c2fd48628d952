// What an API key may be limited to. A key carries a subset of these; a user's token carries none
// (it has every right its role gives). A scope only narrows: it never lifts a guest's or a
// demoted owner's read-only limit (policy.ts checks both).

export const SCOPES = ['threads:read', 'threads:write', 'messages:write', 'tasks:read', 'tasks:write'] as const;
export type Scope = (typeof SCOPES)[number];

/** What `readOnly: true` stands for. */
export const READ_SCOPES: readonly Scope[] = ['threads:read', 'tasks:read'];

export const isScope = (s: unknown): s is Scope => typeof s === 'string' && (SCOPES as readonly string[]).includes(s);

/** Whether a key with `scopes` can change anything (what `readOnly` in the key list says). */
export const writesWith = (scopes: readonly Scope[]): boolean => scopes.some((s) => !(READ_SCOPES as readonly string[]).includes(s));

/** The scopes in canonical order, once each; unknown names dropped. */
export function normalizeScopes(scopes: readonly unknown[]): Scope[] {
  return SCOPES.filter((s) => scopes.includes(s));
}
