/**
 * A real KMS key service over a fresh SQLite state store and root key in `dir`, for tests of
 * code that encrypts through KeyCipher (the artifact store, providers) without a server.
 */
import path from 'node:path';
import { KeyService } from '../../src/kms/key-service.js';
import { RootKey } from '../../src/kms/root-key.js';
import { openStateStore } from '../../src/store/open-state-store.js';

export async function openTestKeyService(
  dir: string,
): Promise<{ kms: KeyService; close(): Promise<void> }> {
  const store = await openStateStore({ dataDir: dir });
  const rootKey = await RootKey.loadOrCreate(path.join(dir, 'keys', 'root.key'), true);
  const kms = new KeyService(store.kms, rootKey, {
    accountId: '123456789012',
    region: 'us-east-1',
  });
  return { kms, close: () => store.close() };
}
