/**
 * Authentication for every API: SigV4 against the access keys in the state store, then the
 * principal that key belongs to. A request signed for another region is refused, as AWS does,
 * because it was meant for a different endpoint.
 */
import { InvalidSignatureException } from '../errors/lockstep-error.js';
import { resolveAccessKey } from '../iam/access-keys.js';
import type { Principal } from '../iam/principal.js';
import type { RootKey } from '../kms/root-key.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { AccessKeyRecord, StateStore } from '../store/state-store.js';
import { SigningKeyCache } from './auth/signing-key-cache.js';
import { verifySigV4 } from './auth/verify-sigv4.js';
import type { Authenticate } from './json-protocol.js';

export interface AuthenticatorDependencies {
  store: StateStore;
  rootKey: RootKey;
  scope: AccountScope;
  bootstrapAdminKeyId: string;
}

/** Builds the authenticate step of the JSON protocol. */
export function createAuthenticator(deps: AuthenticatorDependencies): Authenticate {
  const signingKeyCache = new SigningKeyCache(256);
  return async (request, signingName) => {
    // The record is kept from the lookup so the principal needs no second read.
    let record: AccessKeyRecord | undefined;
    const verified = await verifySigV4(
      { method: request.method, path: request.url, headers: request.headers, body: request.body },
      {
        service: signingName,
        nowMs: Date.now(),
        signingKeyCache,
        lookupCredential: async (accessKeyId) => {
          const resolved = await resolveAccessKey(deps.store, deps.rootKey, accessKeyId);
          record = resolved?.record;
          return resolved && { secretAccessKey: resolved.secretAccessKey };
        },
      },
    );
    if (verified.region !== deps.scope.region) {
      throw new InvalidSignatureException(
        `Credential should be scoped to a valid region. This server serves '${deps.scope.region}', ` +
          `not '${verified.region}'.`,
      );
    }
    if (!record) throw new Error('SigV4 verified without an access key record');
    return principalOf(record, deps);
  };
}

function principalOf(record: AccessKeyRecord, deps: AuthenticatorDependencies): Principal {
  return {
    arn: record.principalArn,
    accountId: deps.scope.accountId,
    userName: record.userName,
    accessKeyId: record.accessKeyId,
    isBootstrapAdmin: record.accessKeyId === deps.bootstrapAdminKeyId,
  };
}
