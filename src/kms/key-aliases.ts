/**
 * Aliases: friendly names (`alias/...`) for keys, usable wherever a KeyId is. Each points at
 * one key; `alias/aws/` names belong to AWS managed keys. Moving or deleting an alias needs
 * permission on the alias and on the keys involved, so each operation is handed a way to
 * authorize its action on a key.
 */
import { ValidationException } from '../errors/lockstep-error.js';
import type { KmsKeyRecord } from '../store/kms-store.js';
import { KmsAliasExistsError } from '../store/kms-store.js';
import { aliasArn, checkCustomerAliasName, parseKeyReference } from './key-identifiers.js';
import type { KeyRing } from './key-ring.js';
import { AlreadyExistsException, InvalidMarkerException, NotFoundException } from './kms-errors.js';

const DEFAULT_PAGE = 100;

/** Authorizes the operation's own action on one key ARN (through the key's policy). */
export type AuthorizeKey = (keyArn: string) => Promise<void>;

export interface AliasInput {
  AliasName: string;
  TargetKeyId: string;
}

export class KeyAliases {
  constructor(private readonly ring: KeyRing) {}

  /** CreateAlias. */
  async create(input: AliasInput, authorizeKey: AuthorizeKey): Promise<void> {
    checkCustomerAliasName(input.AliasName);
    const target = await this.target(input.TargetKeyId);
    await authorizeKey(this.ring.arn(target.keyId));
    const nowMs = this.ring.now();
    try {
      await this.ring.store.createAlias({
        aliasName: input.AliasName,
        keyId: target.keyId,
        createdMs: nowMs,
        updatedMs: nowMs,
      });
    } catch (error) {
      if (!(error instanceof KmsAliasExistsError)) throw error;
      throw new AlreadyExistsException(
        `An alias with the name ${this.arn(input.AliasName)} already exists`,
      );
    }
  }

  /** UpdateAlias: points an existing alias at another key. */
  async update(input: AliasInput, authorizeKey: AuthorizeKey): Promise<void> {
    checkCustomerAliasName(input.AliasName);
    const alias = await this.existing(input.AliasName);
    const target = await this.target(input.TargetKeyId);
    await authorizeKey(this.ring.arn(alias.keyId));
    await authorizeKey(this.ring.arn(target.keyId));
    await this.ring.store.updateAlias(input.AliasName, target.keyId, this.ring.now());
  }

  /** DeleteAlias; the key is not affected. */
  async delete(aliasName: string, authorizeKey: AuthorizeKey): Promise<void> {
    const alias = await this.existing(aliasName);
    await authorizeKey(this.ring.arn(alias.keyId));
    if (!(await this.ring.store.deleteAlias(aliasName))) throw this.notFound(aliasName);
  }

  /** ListAliases: every alias, or those of one key, by name. */
  async list(input: { KeyId?: string; Limit?: number; Marker?: string }) {
    if (input.Marker !== undefined && !input.Marker.startsWith('alias/')) {
      throw new InvalidMarkerException(`Invalid marker: ${input.Marker}`);
    }
    const keyId = input.KeyId === undefined ? undefined : (await this.ring.find(input.KeyId)).keyId;
    const limit = input.Limit ?? DEFAULT_PAGE;
    const aliases = await this.ring.store.listAliases({
      ...(keyId !== undefined ? { keyId } : {}),
      ...(input.Marker !== undefined ? { afterName: input.Marker } : {}),
      limit: limit + 1,
    });
    const page = aliases.slice(0, limit);
    const truncated = aliases.length > limit;
    return {
      Aliases: page.map((a) => ({
        AliasName: a.aliasName,
        AliasArn: this.arn(a.aliasName),
        TargetKeyId: a.keyId,
        CreationDate: new Date(a.createdMs),
        LastUpdatedDate: new Date(a.updatedMs),
      })),
      Truncated: truncated,
      ...(truncated ? { NextMarker: page[page.length - 1]?.aliasName } : {}),
    };
  }

  /** The key an alias may point at: named by id or ARN (not alias), not pending deletion. */
  private async target(keyIdParameter: string): Promise<KmsKeyRecord> {
    if (parseKeyReference(this.ring.scope, keyIdParameter).kind === 'alias') {
      throw new ValidationException(
        `${keyIdParameter} is an alias; name the key by its key id or key ARN.`,
      );
    }
    const key = await this.ring.find(keyIdParameter);
    this.ring.requireNotPendingDeletion(key);
    return key;
  }

  private async existing(aliasName: string) {
    const alias = await this.ring.store.getAlias(aliasName);
    if (!alias) throw this.notFound(aliasName);
    return alias;
  }

  private arn(aliasName: string): string {
    return aliasArn(this.ring.scope, aliasName);
  }

  private notFound(aliasName: string): Error {
    return new NotFoundException(`Alias ${this.arn(aliasName)} is not found.`);
  }
}
