/** Row ↔ record mapping for executions, action executions and jobs. */
import type { Selectable } from 'kysely';
import type { ActionExecutionsTable, JobsTable, PipelineExecutionsTable } from './schema.js';
import type {
  ActionExecutionRecord,
  ExecutionRecord,
  JobRecord,
  JobStatus,
} from './execution-store.js';

/** Maps an execution record to its row. */
export function toExecutionRow(r: ExecutionRecord): PipelineExecutionsTable {
  return {
    id: r.id,
    pipeline_name: r.pipelineName,
    pipeline_version: r.pipelineVersion,
    status: r.status,
    client_request_token: r.clientRequestToken,
    state_json: r.stateJson,
    state_version: r.stateVersion,
    created_ms: r.createdMs,
    updated_ms: r.updatedMs,
    declaration_sha256: r.declarationSha256,
  };
}

/** Maps an execution row to its record. */
export function toExecutionRecord(row: Selectable<PipelineExecutionsTable>): ExecutionRecord {
  return {
    id: row.id,
    pipelineName: row.pipeline_name,
    pipelineVersion: row.pipeline_version,
    status: row.status,
    clientRequestToken: row.client_request_token,
    stateJson: row.state_json,
    stateVersion: row.state_version,
    createdMs: row.created_ms,
    updatedMs: row.updated_ms,
    declarationSha256: row.declaration_sha256,
  };
}

/** Maps an action execution record to its row. */
export function toActionRow(r: ActionExecutionRecord): ActionExecutionsTable {
  return {
    id: r.id,
    execution_id: r.executionId,
    pipeline_name: r.pipelineName,
    stage_name: r.stageName,
    action_name: r.actionName,
    status: r.status,
    detail_json: r.detailJson,
    started_ms: r.startedMs,
    updated_ms: r.updatedMs,
  };
}

/** Maps an action execution row to its record. */
export function toActionRecord(row: Selectable<ActionExecutionsTable>): ActionExecutionRecord {
  return {
    id: row.id,
    executionId: row.execution_id,
    pipelineName: row.pipeline_name,
    stageName: row.stage_name,
    actionName: row.action_name,
    status: row.status,
    detailJson: row.detail_json,
    startedMs: row.started_ms,
    updatedMs: row.updated_ms,
  };
}

/** Maps a job record to its row. */
export function toJobRow(r: JobRecord): JobsTable {
  return {
    id: r.id,
    action_execution_id: r.actionExecutionId,
    execution_id: r.executionId,
    action_type_key: r.actionTypeKey,
    status: r.status,
    nonce: r.nonce,
    worker_id: r.workerId,
    query_value: r.queryValue,
    data_json: r.dataJson,
    lease_expires_ms: r.leaseExpiresMs,
    timeout_at_ms: r.timeoutAtMs,
    created_ms: r.createdMs,
    updated_ms: r.updatedMs,
  };
}

/** Maps a job row to its record. */
export function toJobRecord(row: Selectable<JobsTable>): JobRecord {
  return {
    id: row.id,
    actionExecutionId: row.action_execution_id,
    executionId: row.execution_id,
    actionTypeKey: row.action_type_key,
    status: row.status as JobStatus,
    nonce: row.nonce,
    workerId: row.worker_id,
    queryValue: row.query_value,
    dataJson: row.data_json,
    leaseExpiresMs: row.lease_expires_ms,
    timeoutAtMs: row.timeout_at_ms,
    createdMs: row.created_ms,
    updatedMs: row.updated_ms,
  };
}
