import type { PipelineRow } from './schema.js';
import type { PipelineRecord } from './state-store.js';

/** Maps a pipeline record to its pipelines row. */
export function toPipelineRow(pipeline: PipelineRecord): PipelineRow {
  return {
    name: pipeline.name,
    arn: pipeline.arn,
    version: pipeline.version,
    pipeline_type: pipeline.pipelineType,
    execution_mode: pipeline.executionMode,
    created_ms: pipeline.createdMs,
    updated_ms: pipeline.updatedMs,
  };
}

/** Maps a pipelines row back to the record. */
export function toPipelineRecord(row: PipelineRow): PipelineRecord {
  return {
    name: row.name,
    arn: row.arn,
    version: row.version,
    pipelineType: row.pipeline_type,
    executionMode: row.execution_mode,
    createdMs: row.created_ms,
    updatedMs: row.updated_ms,
  };
}
