/**
 * What operations can reach: the domain services of one running server, built once at start.
 * Operations get these instead of the store so that every rule lives in its domain folder.
 */
import type { ActionTypeService } from '../pipelines/action-type-service.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { PipelineService } from '../pipelines/pipeline-service.js';
import type { TagService } from '../pipelines/tag-service.js';

export interface ServerServices {
  scope: AccountScope;
  pipelines: PipelineService;
  tags: TagService;
  actionTypes: ActionTypeService;
  server: { version: string; dialect: string; startedAt: Date };
}
