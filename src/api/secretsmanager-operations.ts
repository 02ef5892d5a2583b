/**
 * The operation table of AWS Secrets Manager (`secretsmanager`, JSON 1.1), so that
 * `aws secretsmanager ...` and the SDKs work against Lockstep. Every call is authorized on the
 * secret's own ARN (looked up, since it ends in a random suffix), and a customer managed KMS
 * key is used on the caller's behalf (kms:GenerateDataKey to write, kms:Decrypt to read).
 * Secret values never reach the audit trail: the model marks them sensitive, and the
 * operations that take one hide it themselves as well.
 */
import type {
  ListSecretsInput,
  ListSecretVersionIdsInput,
  PutResourcePolicyInput,
  RotateSecretInput,
  SecretCatalog,
} from '../secrets/secret-catalog.js';
import { secretArnPrefix } from '../secrets/secret-arn.js';
import type {
  CreateSecretInput,
  DeleteSecretInput,
  GetSecretValueInput,
  PutSecretValueInput,
  SecretValueMembers,
  UpdateSecretInput,
  UpdateSecretVersionStageInput,
} from '../secrets/secret-inputs.js';
import type { SecretService } from '../secrets/secret-service.js';
import type { AuthorizeKeyUse } from '../secrets/secret-value-cipher.js';
import { HIDDEN } from './model/hide-sensitive.js';
import {
  defineOperation,
  rawString,
  type CallContext,
  type JsonService,
  type Operation,
} from './operation.js';
import type { ServerServices } from './server-services.js';

type SecretIdInput = { SecretId: string };

/** The ARN of the secret a raw input's SecretId names (see SecretRecords.resourceArn). */
function secretResource(raw: Record<string, unknown>, services: ServerServices): Promise<string> {
  return services.secrets.resourceArn(rawString(raw, 'SecretId'));
}

/**
 * CreateSecret's resource: the secret's ARN if the name exists (a retry), else the name with a
 * suffix of six `?`, which grants on `NAME-*`, `NAME-??????` or a prefix all match, as they
 * match the ARN the new secret will get.
 */
async function newSecretResource(
  raw: Record<string, unknown>,
  services: ServerServices,
): Promise<string> {
  const name = rawString(raw, 'Name');
  if (name === undefined) return '*';
  const existing = await services.secrets.records.find(name);
  return existing?.record.arn ?? `${secretArnPrefix(services.scope)}${name}-??????`;
}

/** KMS use on the caller's behalf, through the same authorizer as the call. */
function keyUseOf(context: CallContext): AuthorizeKeyUse {
  return (action, keyArn) => context.authorizeAlso(action, keyArn);
}

/** The input with its secret value replaced by CloudTrail's placeholder. */
function withoutValue<I extends SecretValueMembers>(input: I): I {
  return {
    ...input,
    ...(input.SecretString === undefined ? {} : { SecretString: HIDDEN }),
    ...(input.SecretBinary === undefined ? {} : { SecretBinary: HIDDEN }),
  };
}

/** An operation on one secret named by SecretId. */
function onSecret<I extends SecretIdInput>(
  name: string,
  readOnly: boolean,
  handle: (input: I, secrets: SecretService, context: CallContext) => Promise<unknown>,
): Operation {
  return defineOperation<I>({
    name,
    iamAction: `secretsmanager:${name}`,
    readOnly,
    resourceArn: secretResource,
    handle: (input, context) => handle(input, context.services.secrets, context),
  });
}

/** An operation of the catalog (no value involved) on one secret. */
function onCatalog<I extends SecretIdInput>(
  name: string,
  readOnly: boolean,
  handle: (input: I, catalog: SecretCatalog) => Promise<unknown>,
): Operation {
  return onSecret<I>(name, readOnly, (input, secrets) => handle(input, secrets.catalog));
}

const operations: readonly Operation[] = [
  defineOperation<CreateSecretInput>({
    name: 'CreateSecret',
    iamAction: 'secretsmanager:CreateSecret',
    readOnly: false,
    resourceArn: newSecretResource,
    handle: (input, context) => context.services.secrets.create(input, keyUseOf(context)),
    auditParameters: withoutValue,
  }),
  defineOperation<GetSecretValueInput>({
    name: 'GetSecretValue',
    iamAction: 'secretsmanager:GetSecretValue',
    readOnly: true,
    resourceArn: secretResource,
    handle: (input, context) => context.services.secrets.getValue(input, keyUseOf(context)),
  }),
  defineOperation<PutSecretValueInput>({
    name: 'PutSecretValue',
    iamAction: 'secretsmanager:PutSecretValue',
    readOnly: false,
    resourceArn: secretResource,
    handle: (input, context) => context.services.secrets.putValue(input, keyUseOf(context)),
    auditParameters: withoutValue,
  }),
  defineOperation<UpdateSecretInput>({
    name: 'UpdateSecret',
    iamAction: 'secretsmanager:UpdateSecret',
    readOnly: false,
    resourceArn: secretResource,
    handle: (input, context) => context.services.secrets.update(input, keyUseOf(context)),
    auditParameters: withoutValue,
  }),
  onSecret<DeleteSecretInput>('DeleteSecret', false, (input, secrets) => secrets.delete(input)),
  onSecret<SecretIdInput>('RestoreSecret', false, (input, secrets) =>
    secrets.restore(input.SecretId),
  ),
  onSecret<UpdateSecretVersionStageInput>('UpdateSecretVersionStage', false, (input, secrets) =>
    secrets.updateVersionStage(input),
  ),
  onCatalog<SecretIdInput>('DescribeSecret', true, (input, catalog) =>
    catalog.describe(input.SecretId),
  ),
  onCatalog<ListSecretVersionIdsInput>('ListSecretVersionIds', true, (input, catalog) =>
    catalog.listVersionIds(input),
  ),
  onCatalog<RotateSecretInput>('RotateSecret', false, (input, catalog) => catalog.rotate(input)),
  onCatalog<SecretIdInput>('CancelRotateSecret', false, (input, catalog) =>
    catalog.cancelRotation(input.SecretId),
  ),
  onCatalog<SecretIdInput & { Tags: { Key?: string; Value?: string }[] }>(
    'TagResource',
    false,
    async (input, catalog) => {
      await catalog.tag(input.SecretId, input.Tags);
      return {};
    },
  ),
  onCatalog<SecretIdInput & { TagKeys: string[] }>(
    'UntagResource',
    false,
    async (input, catalog) => {
      await catalog.untag(input.SecretId, input.TagKeys);
      return {};
    },
  ),
  onCatalog<SecretIdInput>('GetResourcePolicy', true, (input, catalog) =>
    catalog.getResourcePolicy(input.SecretId),
  ),
  onCatalog<PutResourcePolicyInput>('PutResourcePolicy', false, (input, catalog) =>
    catalog.putResourcePolicy(input),
  ),
  onCatalog<SecretIdInput>('DeleteResourcePolicy', false, (input, catalog) =>
    catalog.deleteResourcePolicy(input.SecretId),
  ),
  defineOperation<ListSecretsInput>({
    name: 'ListSecrets',
    iamAction: 'secretsmanager:ListSecrets',
    readOnly: true,
    // ListSecrets has no resource-level permissions in IAM.
    resourceArn: () => '*',
    handle: (input, { services }) => services.secrets.catalog.list(input),
  }),
];

/** Secrets Manager over JSON 1.1. */
export const secretsManagerService: JsonService = {
  targetPrefix: 'secretsmanager',
  signingName: 'secretsmanager',
  eventSource: 'secretsmanager.amazonaws.com',
  model: 'secretsmanager/2017-10-17',
  operations: new Map(operations.map((op) => [op.name, op])),
};
