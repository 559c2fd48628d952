// In-memory API key stores, one partition per owner, for unit tests of the api-keys use cases.
// Same contract as the DynamoDB adapter (test/contracts/api-key-store.contract.ts runs both).
import type { ApiKeyStore, ApiKeyView, StoredApiKey } from '../../functions/shared/core/api-keys';

export class InMemoryApiKeys {
  readonly partitions = new Map<string, Map<string, StoredApiKey>>();
  /** Every store call, so a test can assert that a refused caller reached none. */
  calls = 0;

  store(ownerId: string): ApiKeyStore {
    const part = () => {
      let p = this.partitions.get(ownerId);
      if (!p) this.partitions.set(ownerId, (p = new Map()));
      return p;
    };
    const shown = ({ keyHash: _hash, ...view }: StoredApiKey): ApiKeyView => view;
    return {
      create: async (key, maxKeys) => {
        this.calls++;
        if (part().size >= maxKeys) return 'limit';
        part().set(key.id, key);
        return 'created';
      },
      list: async () => {
        this.calls++;
        return [...part().values()].map(shown);
      },
      setEnabled: async (keyId, enabled) => {
        this.calls++;
        const key = part().get(keyId);
        if (!key) return null;
        const next = { ...key, enabled };
        part().set(keyId, next);
        return shown(next);
      },
      revoke: async (keyId) => {
        this.calls++;
        return part().delete(keyId);
      },
      isActive: async (keyId) => {
        this.calls++;
        return part().get(keyId)?.enabled === true;
      },
    };
  }
}
