/**
 * The StateStore: every durable fact Lockstep keeps, behind one interface with one
 * implementation per database (SQLite through better-sqlite3, PostgreSQL through pg), both
 * written with Kysely. Only src/store/ imports a database driver.
 *
 * Timestamps are epoch milliseconds (numbers) in and out; the API turns them into epoch
 * seconds on the wire.
 */
import type { ExecutionStore } from './execution-store.js';
import type { IamStore } from './iam-store.js';
import type { MfaStore } from './mfa-store.js';
import type { CodeBuildProjectStore } from './codebuild-project-store.js';
import type { KmsStore } from './kms-store.js';
import type { SecretStore } from './secret-store.js';
import type { ObjectMetadataStore } from './object-metadata-store.js';
import type { ConnectionStore } from './connection-store.js';
import type { RootSealedStore } from './root-sealed-store.js';

/** A pipeline's current row: what ListPipelines and GetPipeline's metadata show. */
export interface PipelineRecord {
  name: string;
  arn: string;
  version: number;
  pipelineType: string;
  executionMode: string;
  createdMs: number;
  updatedMs: number;
}

/** One stored version of a pipeline's declaration, kept on every update. */
export interface PipelineVersionRecord {
  name: string;
  version: number;
  /** The declaration as JSON text, exactly as it will be returned (secrets still in clear). */
  declarationJson: string;
  createdMs: number;
}

/** An access key: the secret is stored only as ciphertext sealed by the server's root key. */
export interface AccessKeyRecord {
  accessKeyId: string;
  principalArn: string;
  userName: string;
  secretCiphertext: string;
  status: 'Active' | 'Inactive';
  createdMs: number;
}

export interface TagRecord {
  key: string;
  value: string;
}

/** One API call as the audit hook recorded it (CloudTrail's field names). */
export interface AuditRecord {
  /** CloudTrail's eventID: a random UUID, unique per record. */
  eventId: string;
  eventTimeMs: number;
  eventSource: string;
  eventName: string;
  requestId: string;
  principalArn: string | null;
  accessKeyId: string | null;
  sourceIpAddress: string;
  userAgent: string;
  readOnly: boolean;
  errorCode: string | null;
  errorMessage: string | null;
  requestParametersJson: string | null;
  responseElementsJson: string | null;
  /**
   * The record hash's format version (src/audit/audit-record-hash.ts): 1 for records written
   * before resources were recorded, 2 since.
   */
  formatVersion: AuditFormatVersion;
  /**
   * Version 2: the JSON array of the resources the call was authorized on (AuditResource in
   * src/audit/audit-resources.ts), hashed as this exact text; null on version 1.
   */
  resourcesJson: string | null;
}

export type AuditFormatVersion = 1 | 2;

/** An audit record with the place in the trail the store gave it, before it is hashed. */
export interface SequencedAuditRecord extends AuditRecord {
  /** 1, 2, 3, ... with no gaps: the record's position in the chain and the Merkle tree. */
  sequence: number;
}

/**
 * A stored record and its link in the hash chain (docs/audit-trail.md). prevHash and
 * recordHash are lowercase hex SHA-256; both are '' for a record written before the chain
 * existed and not yet sealed.
 */
export interface StoredAuditRecord extends SequencedAuditRecord {
  prevHash: string;
  recordHash: string;
}

/** The prev_hash of the first record: 32 zero bytes, in hex. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/**
 * Computes a record's chain hash from its predecessor's; the store calls it inside the
 * append transaction, under the append lock, so that no two records share a predecessor.
 */
export type AuditSeal = (record: SequencedAuditRecord, prevHash: string) => string;

/** A signed Merkle tree head over the first `treeSize` audit records. */
export interface AuditCheckpointRecord {
  treeSize: number;
  /** Lowercase hex RFC 6962 root hash. */
  rootHash: string;
  /** Base64 Ed25519 signature over the checkpoint message (src/audit/checkpoint.ts). */
  signature: string;
  /** Lowercase hex SHA-256 of the signing key's SPKI DER. */
  keyId: string;
  createdMs: number;
}

/** What LookupEvents may filter on: at most one attribute, a time range, a page. */
export interface AuditLookupQuery {
  attribute?: {
    key:
      | 'EventId'
      | 'EventName'
      | 'EventSource'
      | 'ReadOnly'
      | 'AccessKeyId'
      | 'Username'
      | 'ResourceName'
      | 'ResourceType';
    value: string;
  };
  startMs?: number;
  endMs?: number;
  /** Only records older than this sequence number (the previous page's last); newest first. */
  beforeSequence?: number;
  limit: number;
}

/** The state of one stage transition, as Disable/EnableStageTransition left it. */
export interface StageTransitionRecord {
  pipelineName: string;
  stageName: string;
  transitionType: 'Inbound' | 'Outbound';
  enabled: boolean;
  reason: string | null;
  changedBy: string;
  changedMs: number;
}

/** A custom action type as CreateCustomActionType stored it. */
export interface CustomActionTypeRecord {
  category: string;
  provider: string;
  version: string;
  /** The ActionType output shape as JSON text. */
  actionTypeJson: string;
  createdMs: number;
  deletedMs: number | null;
}

/** Thrown when a custom action type id was ever used before, deleted or not. */
export class ActionTypeTakenError extends Error {
  constructor(readonly actionTypeKey: string) {
    super(`custom action type ${actionTypeKey} already exists or existed`);
  }
}

/** Thrown by createPipeline when the name is taken, so the caller can map it to the API. */
export class PipelineNameTakenError extends Error {
  constructor(readonly pipelineName: string) {
    super(`pipeline ${pipelineName} already exists`);
  }
}

/** Thrown by updatePipeline when the stored version moved on since the caller read it. */
export class StaleVersionError extends Error {
  constructor(
    readonly pipelineName: string,
    readonly expectedVersion: number,
  ) {
    super(`pipeline ${pipelineName} is no longer at version ${expectedVersion}`);
  }
}

export interface StateStore {
  /** Which engine this is, for logs and the health endpoint. */
  readonly dialect: 'sqlite' | 'postgres';
  /** Connections to git hosts (src/store/connection-store.ts). */
  readonly connections: ConnectionStore;
  /** Pipeline executions, action executions and jobs. */
  readonly executions: ExecutionStore;
  /** IAM users, groups, roles and policies. */
  readonly iam: IamStore;
  /** Virtual MFA devices and STS sessions. */
  readonly mfa: MfaStore;
  /** CodeBuild build projects. */
  readonly codeBuildProjects: CodeBuildProjectStore;
  /** KMS keys, their sealed key material versions, and aliases. */
  readonly kms: KmsStore;
  /** Secrets Manager secrets and their sealed versions. */
  readonly secrets: SecretStore;
  /** S3 buckets and object versions (the bytes live in src/objects/). */
  readonly objects: ObjectMetadataStore;
  /** Every value sealed by the root key, for its rotation (src/kms/root-key-rotation.ts). */
  readonly rootSealed: RootSealedStore;

  /** Runs `section` holding a lock named `name` against every server on this database. */
  withLock<T>(name: string, section: () => Promise<T>): Promise<T>;

  /** Applies pending numbered migrations; harmless to run twice or from two processes. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  getSetting(key: string): Promise<string | undefined>;
  /** Sets a setting only if it has no value yet; returns the value that is now stored. */
  initSetting(key: string, value: string): Promise<string>;
  /** Replaces a setting's value only if it is still `expected`; false if another got there first. */
  compareAndSetSetting(key: string, expected: string, next: string): Promise<boolean>;
  /** Deletes every setting whose key starts with `prefix`. */
  deleteSettingsWithPrefix(prefix: string): Promise<void>;

  putAccessKey(key: AccessKeyRecord): Promise<void>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  /** An IAM user's access keys, oldest first. */
  listAccessKeysOf(userName: string): Promise<AccessKeyRecord[]>;
  deleteAccessKey(accessKeyId: string): Promise<boolean>;

  /** Inserts version 1 of a new pipeline; throws PipelineNameTakenError if the name is taken. */
  createPipeline(pipeline: PipelineRecord, declarationJson: string): Promise<void>;
  getPipeline(name: string): Promise<PipelineRecord | undefined>;
  getPipelineVersion(name: string, version: number): Promise<PipelineVersionRecord | undefined>;
  /**
   * Stores the next version if the pipeline is still at `expectedVersion`; throws
   * StaleVersionError otherwise (a concurrent update won), returns undefined if it is gone.
   */
  updatePipeline(
    name: string,
    expectedVersion: number,
    next: Pick<PipelineRecord, 'pipelineType' | 'executionMode' | 'updatedMs'>,
    declarationJson: string,
  ): Promise<PipelineRecord | undefined>;
  /** Deletes a pipeline, its versions and its tags; false if there was none. */
  deletePipeline(name: string): Promise<boolean>;
  /** Pipelines in name order, starting after `afterName`, at most `limit`. */
  listPipelines(afterName: string | undefined, limit: number): Promise<PipelineRecord[]>;

  listTags(resourceArn: string): Promise<TagRecord[]>;
  /** Adds or overwrites tags on a resource. */
  putTags(resourceArn: string, tags: TagRecord[]): Promise<void>;
  removeTags(resourceArn: string, keys: string[]): Promise<void>;

  /** Every transition of a pipeline that was ever disabled (enabled again or not). */
  listStageTransitions(pipelineName: string): Promise<StageTransitionRecord[]>;
  /** Records a transition's state, replacing the previous one. */
  putStageTransition(record: StageTransitionRecord): Promise<void>;
  /** Forgets a deleted pipeline's transitions. */
  deleteStageTransitions(pipelineName: string): Promise<void>;

  /** Stores a new custom action type; ActionTypeTakenError if its id was ever used. */
  createCustomActionType(record: CustomActionTypeRecord): Promise<void>;
  /** Custom action types that are not deleted, in id order. */
  listCustomActionTypes(): Promise<CustomActionTypeRecord[]>;
  /** Marks a custom action type deleted; false if there was no live one. */
  deleteCustomActionType(
    id: { category: string; provider: string; version: string },
    deletedMs: number,
  ): Promise<boolean>;

  /**
   * Appends a record as the next link of the chain in one transaction under the append lock:
   * reads the last record's hash, numbers the record after it, seals it and inserts it.
   */
  appendAudit(record: AuditRecord, seal: AuditSeal): Promise<StoredAuditRecord>;
  /**
   * Appends records, in order, as consecutive links of the chain in one transaction under the
   * append lock; an empty list writes nothing.
   */
  appendAuditBatch(records: readonly AuditRecord[], seal: AuditSeal): Promise<StoredAuditRecord[]>;
  /** Audit records in order, after `afterSequence`, at most `limit`. */
  listAudit(afterSequence: number, limit: number): Promise<StoredAuditRecord[]>;
  /** Audit records matching a lookup, newest first. */
  lookupAudit(query: AuditLookupQuery): Promise<StoredAuditRecord[]>;
  /** Stores a checkpoint unless one of that tree size exists; false if it did. */
  addAuditCheckpoint(checkpoint: AuditCheckpointRecord): Promise<boolean>;
  /** Every checkpoint, smallest tree first. */
  listAuditCheckpoints(): Promise<AuditCheckpointRecord[]>;
}
