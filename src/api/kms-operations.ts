/**
 * The operation table of AWS KMS (`TrentService`, JSON 1.1): symmetric keys, aliases, key
 * policies, envelope encryption, rotation and scheduled deletion, answered by
 * src/kms/key-service.ts. Every call on a key is authorized on the key's ARN (an alias looked
 * up to its key), where the key policy decides with the caller's IAM policies.
 */
import type { KeyCaller, CreateKeyInput, PutKeyPolicyInput } from '../kms/key-lifecycle.js';
import type {
  DecryptInput,
  EncryptInput,
  GenerateDataKeyInput,
  ReEncryptInput,
} from '../kms/key-crypto.js';
import type { AliasInput } from '../kms/key-aliases.js';
import { aliasArn } from '../kms/key-identifiers.js';
import type { ListKeyRotationsInput } from '../kms/key-rotation.js';
import type { Principal } from '../iam/principal.js';
import {
  defineOperation,
  rawString,
  type CallContext,
  type JsonService,
  type Operation,
} from './operation.js';
import type { ServerServices } from './server-services.js';

type KeyIdInput = { KeyId: string };
type RawInput = Record<string, unknown>;

const everything = () => '*';

/** The key a KeyId-like member names, aliases looked up; `*` without one. */
const keyResource =
  (member: string) =>
  (raw: RawInput, services: ServerServices): Promise<string> =>
    services.kms.authorizationArn(raw[member]);

/** The key a ciphertext blob names, else the key its KeyId-like member names. */
const ciphertextResource =
  (keyMember: string) =>
  (raw: RawInput, services: ServerServices): Promise<string> =>
    services.kms.ciphertextArn(raw.CiphertextBlob, raw[keyMember]);

/** The alias itself: alias operations need permission on the alias and on its keys. */
function aliasResource(raw: RawInput, services: ServerServices): string {
  const name = rawString(raw, 'AliasName');
  return name?.startsWith('alias/') ? aliasArn(services.scope, name) : '*';
}

function caller(principal: Principal): KeyCaller {
  const roleArn = principal.session?.roleArn;
  return { principalArn: principal.arn, ...(roleArn ? { principalRoleArn: roleArn } : {}) };
}

/** An operation on one key named by KeyId, with the IAM action of the same name. */
function keyOperation<I extends KeyIdInput>(
  name: string,
  readOnly: boolean,
  handle: (input: I, context: CallContext) => Promise<unknown>,
): Operation {
  return defineOperation<I>({
    name,
    iamAction: `kms:${name}`,
    readOnly,
    resourceArn: keyResource('KeyId'),
    handle,
  });
}

/** Authorizes `action` on one key through the same hook as the call (its key policy). */
const onKey = (context: CallContext, action: string) => (keyArn: string) =>
  context.authorizeAlso(action, keyArn);

const empty = async (work: Promise<void>) => {
  await work;
  return {};
};

function keyOperations(): Operation[] {
  return [
    defineOperation<CreateKeyInput>({
      name: 'CreateKey',
      iamAction: 'kms:CreateKey',
      readOnly: false,
      resourceArn: everything,
      handle: (input, { services, principal }) =>
        services.kms.keys.create(input, caller(principal)),
    }),
    keyOperation('DescribeKey', true, (input, { services }) =>
      services.kms.keys.describe(input.KeyId),
    ),
    defineOperation<{ Limit?: number; Marker?: string }>({
      name: 'ListKeys',
      iamAction: 'kms:ListKeys',
      readOnly: true,
      resourceArn: everything,
      handle: (input, { services }) => services.kms.keys.list(input),
    }),
    keyOperation('EnableKey', false, (input, { services }) =>
      empty(services.kms.keys.enable(input.KeyId)),
    ),
    keyOperation('DisableKey', false, (input, { services }) =>
      empty(services.kms.keys.disable(input.KeyId)),
    ),
    keyOperation<KeyIdInput & { PendingWindowInDays?: number }>(
      'ScheduleKeyDeletion',
      false,
      (input, { services }) => services.kms.keys.scheduleDeletion(input),
    ),
    keyOperation('CancelKeyDeletion', false, (input, { services }) =>
      services.kms.keys.cancelDeletion(input.KeyId),
    ),
    keyOperation<KeyIdInput & { PolicyName?: string }>('GetKeyPolicy', true, (input, c) =>
      c.services.kms.keys.getPolicy(input),
    ),
    keyOperation<PutKeyPolicyInput>('PutKeyPolicy', false, (input, { services, principal }) =>
      empty(services.kms.keys.putPolicy(input, caller(principal))),
    ),
    keyOperation('ListKeyPolicies', true, (input, { services }) =>
      services.kms.keys.listPolicies(input.KeyId),
    ),
  ];
}

function aliasOperations(): Operation[] {
  const aliasOperation = (name: 'CreateAlias' | 'UpdateAlias') =>
    defineOperation<AliasInput>({
      name,
      iamAction: `kms:${name}`,
      readOnly: false,
      resourceArn: aliasResource,
      handle: (input, context) => {
        const { aliases } = context.services.kms;
        const authorizeKey = onKey(context, `kms:${name}`);
        return empty(
          name === 'CreateAlias'
            ? aliases.create(input, authorizeKey)
            : aliases.update(input, authorizeKey),
        );
      },
    });
  return [
    aliasOperation('CreateAlias'),
    aliasOperation('UpdateAlias'),
    defineOperation<{ AliasName: string }>({
      name: 'DeleteAlias',
      iamAction: 'kms:DeleteAlias',
      readOnly: false,
      resourceArn: aliasResource,
      handle: (input, context) =>
        empty(
          context.services.kms.aliases.delete(input.AliasName, onKey(context, 'kms:DeleteAlias')),
        ),
    }),
    defineOperation<{ KeyId?: string; Limit?: number; Marker?: string }>({
      name: 'ListAliases',
      iamAction: 'kms:ListAliases',
      readOnly: true,
      resourceArn: everything,
      handle: (input, { services }) => services.kms.aliases.list(input),
    }),
  ];
}

// CloudTrail keeps neither plaintext nor ciphertext of a cryptographic call.
const withoutData = <I extends object>({
  Plaintext: _p,
  CiphertextBlob: _c,
  ...rest
}: I & {
  Plaintext?: unknown;
  CiphertextBlob?: unknown;
}) => rest;

function cryptoOperations(): Operation[] {
  return [
    defineOperation<EncryptInput>({
      name: 'Encrypt',
      iamAction: 'kms:Encrypt',
      readOnly: true,
      resourceArn: keyResource('KeyId'),
      handle: (input, { services }) => services.kms.crypto.encrypt(input),
      auditParameters: withoutData,
    }),
    defineOperation<DecryptInput>({
      name: 'Decrypt',
      iamAction: 'kms:Decrypt',
      readOnly: true,
      resourceArn: ciphertextResource('KeyId'),
      handle: (input, { services }) => services.kms.crypto.decrypt(input),
      auditParameters: withoutData,
    }),
    keyOperation<GenerateDataKeyInput>('GenerateDataKey', true, (input, { services }) =>
      services.kms.crypto.generateDataKey(input, true),
    ),
    keyOperation<GenerateDataKeyInput>(
      'GenerateDataKeyWithoutPlaintext',
      true,
      (input, { services }) => services.kms.crypto.generateDataKey(input, false),
    ),
    defineOperation<ReEncryptInput>({
      name: 'ReEncrypt',
      iamAction: 'kms:ReEncryptFrom',
      readOnly: true,
      resourceArn: ciphertextResource('SourceKeyId'),
      handle: async (input, { services, authorizeAlso }) => {
        // AWS: ReEncrypt needs kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the
        // destination key, each through that key's policy.
        await authorizeAlso(
          'kms:ReEncryptTo',
          await services.kms.authorizationArn(input.DestinationKeyId),
        );
        return services.kms.crypto.reEncrypt(input);
      },
      auditParameters: withoutData,
    }),
  ];
}

function rotationOperations(): Operation[] {
  return [
    keyOperation<KeyIdInput & { RotationPeriodInDays?: number }>(
      'EnableKeyRotation',
      false,
      (input, { services }) => empty(services.kms.rotation.enable(input)),
    ),
    keyOperation('DisableKeyRotation', false, (input, { services }) =>
      empty(services.kms.rotation.disable(input.KeyId)),
    ),
    keyOperation('GetKeyRotationStatus', true, (input, { services }) =>
      services.kms.rotation.status(input.KeyId),
    ),
    keyOperation('RotateKeyOnDemand', false, (input, { services }) =>
      services.kms.rotation.rotateOnDemand(input.KeyId),
    ),
    keyOperation<ListKeyRotationsInput>('ListKeyRotations', true, (input, { services }) =>
      services.kms.rotation.list(input),
    ),
  ];
}

/** AWS KMS over JSON 1.1. */
export const kmsService: JsonService = {
  targetPrefix: 'TrentService',
  signingName: 'kms',
  eventSource: 'kms.amazonaws.com',
  model: 'kms/2014-11-01',
  operations: new Map(
    [...keyOperations(), ...aliasOperations(), ...cryptoOperations(), ...rotationOperations()].map(
      (op) => [op.name, op],
    ),
  ),
};
