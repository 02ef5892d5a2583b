/**
 * The inputs of Secrets Manager's value operations, as the model shapes them (the validator
 * guarantees them before an operation runs). Blobs arrive base64-encoded.
 */

export interface SecretValueMembers {
  SecretString?: string;
  /** Base64, as the model validated it. */
  SecretBinary?: string;
}

export interface CreateSecretInput extends SecretValueMembers {
  Name: string;
  ClientRequestToken?: string;
  Description?: string;
  KmsKeyId?: string;
  Tags?: { Key?: string; Value?: string }[];
  AddReplicaRegions?: unknown[];
}

export interface GetSecretValueInput {
  SecretId: string;
  VersionId?: string;
  VersionStage?: string;
}

export interface PutSecretValueInput extends SecretValueMembers {
  SecretId: string;
  ClientRequestToken?: string;
  VersionStages?: string[];
}

export interface UpdateSecretInput extends SecretValueMembers {
  SecretId: string;
  ClientRequestToken?: string;
  Description?: string;
  KmsKeyId?: string;
}

export interface DeleteSecretInput {
  SecretId: string;
  RecoveryWindowInDays?: number;
  ForceDeleteWithoutRecovery?: boolean;
}

export interface UpdateSecretVersionStageInput {
  SecretId: string;
  VersionStage: string;
  RemoveFromVersionId?: string;
  MoveToVersionId?: string;
}
