/**
 * S3 objects an action reads or writes itself (the S3 source reads the uploaded zip, the S3
 * deploy publishes files), as the action's role: each call is authorized like an S3 API call of
 * that role's session (s3:GetObject, s3:PutObject on `arn:aws:s3:::bucket/key`), so a pipeline
 * reaches exactly the buckets its roles may.
 */
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { Authorize } from '../iam/authorize.js';
import type { ObjectService } from '../objects/object-service.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { IamRoleRecord } from '../store/iam-store.js';
import { rolePrincipal } from './action-secrets.js';
import type { JobPayload } from './job-data.js';

/** What a provider may do with S3 objects, as its action's role. */
export interface ActionObjects {
  get(bucket: string, key: string, versionId?: string): Promise<FetchedObject>;
  put(bucket: string, key: string, body: Buffer, options?: PutOptions): Promise<StoredObject>;
}

export interface FetchedObject {
  body: Buffer;
  versionId: string;
  /** MD5 hex, unquoted, as S3's ETag of a single-part object. */
  etag: string;
}

export interface StoredObject {
  versionId: string;
  etag: string;
}

export interface PutOptions {
  contentType?: string;
  /** A KMS key for aws:kms encryption; absent, the managed aws/s3 key. */
  kmsKeyId?: string;
  cacheControl?: string;
}

export interface ActionObjectDeps {
  objects: ObjectService;
  authorize: Authorize;
  findRole(roleArn: string): Promise<IamRoleRecord | undefined>;
  scope: AccountScope;
}

/** S3 larger than this is not an action's to write in one piece (S3's PutObject limit). */
const MAX_OBJECT_BYTES = 5 * 1024 ** 3;

/** The objects of one action, reached as its role. */
export function actionObjects(deps: ActionObjectDeps, payload: JobPayload): ActionObjects {
  const roleArn = payload.action.roleArn ?? payload.pipelineRoleArn;
  const { actionExecutionId } = payload.jobData.pipelineContext.action;
  const sessionName = `codepipeline-${actionExecutionId.slice(0, 8)}`;
  const allow = async (action: string, resourceArn: string) => {
    const principal = await rolePrincipal(deps, roleArn, sessionName);
    await deps.authorize({
      principal,
      action,
      resourceArn,
      sourceIp: 'codepipeline.amazonaws.com',
      secureTransport: true,
    });
  };
  return {
    async get(bucket, key, versionId) {
      await allow(
        versionId ? 's3:GetObjectVersion' : 's3:GetObject',
        `arn:aws:s3:::${bucket}/${key}`,
      );
      const read = await deps.objects.get(bucket, key, versionId, undefined, (kmsAction, keyArn) =>
        allow(kmsAction, keyArn),
      );
      return {
        body: await buffer(read.body),
        versionId: read.version.versionId,
        etag: read.version.etag,
      };
    },
    async put(bucket, key, body, options = {}) {
      await allow('s3:PutObject', `arn:aws:s3:::${bucket}/${key}`);
      const metadata: Record<string, string> = {
        'content-type': options.contentType ?? 'application/octet-stream',
        ...(options.cacheControl ? { 'cache-control': options.cacheControl } : {}),
      };
      const version = await deps.objects.put({
        bucket,
        key,
        body: Readable.from([body]),
        metadata,
        encryption: { mode: 'aws:kms', ...(options.kmsKeyId ? { keyId: options.kmsKeyId } : {}) },
        maxBytes: MAX_OBJECT_BYTES,
        authorizeKeyUse: (kmsAction, keyArn) => allow(kmsAction, keyArn),
      });
      return { versionId: version.versionId, etag: version.etag };
    },
  };
}
