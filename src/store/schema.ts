/**
 * Kysely table types for the state database: the shape of rows as both drivers return them
 * (snake_case columns, epoch-millisecond numbers, booleans as 0/1), kept apart from the domain
 * records in state-store.ts so that a column rename never leaks past src/store/.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { IamTables } from './iam-schema.js';

export interface SettingsTable {
  key: string;
  value: string;
}

export interface AccessKeysTable {
  access_key_id: string;
  principal_arn: string;
  user_name: string;
  secret_ciphertext: string;
  status: 'Active' | 'Inactive';
  created_ms: number;
}

export interface PipelinesTable {
  name: string;
  arn: string;
  version: number;
  pipeline_type: string;
  execution_mode: string;
  created_ms: number;
  updated_ms: number;
}

export interface PipelineVersionsTable {
  name: string;
  version: number;
  declaration_json: string;
  created_ms: number;
}

export interface TagsTable {
  resource_arn: string;
  key: string;
  value: string;
}

export interface AuditEventsTable {
  sequence: Generated<number>;
  event_time_ms: number;
  event_source: string;
  event_name: string;
  request_id: string;
  principal_arn: string | null;
  access_key_id: string | null;
  source_ip_address: string;
  user_agent: string;
  /** 0 or 1 on both engines: better-sqlite3 cannot bind booleans, and one query serves both. */
  read_only: number;
  error_code: string | null;
  error_message: string | null;
  request_parameters_json: string | null;
  // The chain columns (0005-audit-chain) are null only on rows written before the chain
  // existed, until the next append seals them.
  event_id: string | null;
  response_elements_json: string | null;
  prev_hash: string | null;
  record_hash: string | null;
  // 0014-audit-resources: the record hash's format version (1 on older rows) and, from
  // version 2, the resources JSON text that is hashed.
  format_version: ColumnType<number, number | undefined, never>;
  resources_json: string | null;
}

/**
 * LookupEvents' index of each record's resources (0014-audit-resources), written in the same
 * transaction as the record from its resources_json; the hashed text stays the truth.
 */
export interface AuditEventResourcesTable {
  sequence: number;
  resource_name: string;
  resource_type: string;
}

/** A signed Merkle tree head over the first tree_size audit events. */
export interface AuditCheckpointsTable {
  tree_size: number;
  root_hash: string;
  signature: string;
  key_id: string;
  created_ms: number;
}

export interface CustomActionTypesTable {
  category: string;
  provider: string;
  version: string;
  action_type_json: string;
  created_ms: number;
  /** Set when deleted; the row stays so that the version can never be reused. */
  deleted_ms: number | null;
}

export interface PipelineExecutionsTable {
  id: string;
  pipeline_name: string;
  pipeline_version: number;
  status: string;
  client_request_token: string | null;
  state_json: string;
  state_version: number;
  created_ms: number;
  updated_ms: number;
  /** The run's declaration in execution_declarations; null for rows that carry it in state_json. */
  declaration_sha256: string | null;
}

/** Pipeline declarations that executions follow, stored once each by content. */
export interface ExecutionDeclarationsTable {
  sha256: string;
  declaration_json: string;
}

export interface ActionExecutionsTable {
  id: string;
  execution_id: string;
  pipeline_name: string;
  stage_name: string;
  action_name: string;
  status: string;
  detail_json: string;
  started_ms: number;
  updated_ms: number;
}

export interface JobsTable {
  id: string;
  action_execution_id: string;
  execution_id: string;
  action_type_key: string;
  status: string;
  nonce: string;
  worker_id: string | null;
  query_value: string | null;
  data_json: string;
  lease_expires_ms: number | null;
  timeout_at_ms: number;
  created_ms: number;
  updated_ms: number;
}

/** A connection to a git host; endpoint is '' until Lockstep knows where the host is. */
export interface ConnectionsTable {
  arn: string;
  name: string;
  provider_type: string;
  endpoint: string;
  status: string;
  created_ms: number;
  /** The secret holding the host's credentials, by ARN; null when the host needs none. */
  credentials_secret_arn: string | null;
}

export interface StageTransitionsTable {
  pipeline_name: string;
  stage_name: string;
  transition_type: string;
  /** 0 or 1, as read_only in audit_events. */
  enabled: number;
  reason: string | null;
  changed_by: string;
  changed_ms: number;
}

/** Every table the StateStore reads and writes. */
export interface Database extends IamTables {
  settings: SettingsTable;
  access_keys: AccessKeysTable;
  pipelines: PipelinesTable;
  pipeline_versions: PipelineVersionsTable;
  tags: TagsTable;
  audit_events: AuditEventsTable;
  audit_checkpoints: AuditCheckpointsTable;
  audit_event_resources: AuditEventResourcesTable;
  custom_action_types: CustomActionTypesTable;
  connections: ConnectionsTable;
  pipeline_executions: PipelineExecutionsTable;
  execution_declarations: ExecutionDeclarationsTable;
  action_executions: ActionExecutionsTable;
  jobs: JobsTable;
  stage_transitions: StageTransitionsTable;
}

export type AccessKeyRow = Selectable<AccessKeysTable>;
export type PipelineRow = Selectable<PipelinesTable>;
export type PipelineVersionRow = Selectable<PipelineVersionsTable>;
export type TagRow = Selectable<TagsTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type NewAuditEventRow = Insertable<AuditEventsTable>;
export type AuditCheckpointRow = Selectable<AuditCheckpointsTable>;
export type ConnectionRow = Selectable<ConnectionsTable>;
