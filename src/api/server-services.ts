/**
 * What operations can reach: the domain services of one running server, built once at start.
 * Operations get these instead of the store so that every rule lives in its domain folder.
 */
import type { ConnectionService } from '../connections/connection-service.js';
import type { AccessReportLoader } from '../iam/access-report-loader.js';
import type { IamPolicyService } from '../iam/iam-policy-service.js';
import type { IamRoleService } from '../iam/iam-role-service.js';
import type { IamUserService } from '../iam/iam-user-service.js';
import type { ExecutionService } from '../engine/execution-service.js';
import type { ActionLogs } from '../engine/action-logs.js';
import type { ActionRevisions } from '../engine/action-revisions.js';
import type { ExecutionViews } from '../engine/execution-views.js';
import type { PipelineLifecycle } from '../engine/pipeline-lifecycle.js';
import type { StageTransitions } from '../engine/stage-transitions.js';
import type { JobWorkerProtocol } from '../jobs/job-worker-protocol.js';
import type { ManualApproval } from '../jobs/manual-approval.js';
import type { KeyService } from '../kms/key-service.js';
import type { SecretService } from '../secrets/secret-service.js';
import type { ThirdPartyJobProtocol } from '../jobs/third-party-job-protocol.js';
import type { ActionTypeService } from '../pipelines/action-type-service.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { PipelineService } from '../pipelines/pipeline-service.js';
import type { TagService } from '../pipelines/tag-service.js';
import type { BucketService } from '../objects/bucket-service.js';
import type { MultipartService } from '../objects/multipart-service.js';
import type { ObjectListing } from '../objects/object-listing.js';
import type { ObjectService } from '../objects/object-service.js';

export interface ServerServices {
  scope: AccountScope;
  pipelines: PipelineService;
  tags: TagService;
  actionTypes: ActionTypeService;
  connections: ConnectionService;
  executions: ExecutionService;
  lifecycle: PipelineLifecycle;
  actionRevisions: ActionRevisions;
  transitions: StageTransitions;
  executionViews: ExecutionViews;
  actionLogs: ActionLogs;
  jobProtocol: JobWorkerProtocol;
  thirdPartyJobs: ThirdPartyJobProtocol;
  approvals: ManualApproval;
  iamUsers: IamUserService;
  iamRoles: IamRoleService;
  iamPolicies: IamPolicyService;
  accessReport: AccessReportLoader;
  /** KMS keys; other domains use it as their KeyCipher (src/kms/key-cipher.ts). */
  kms: KeyService;
  /** Secrets Manager secrets, sealed under KMS; resolveValue serves the engine. */
  secrets: SecretService;
  /** The object store behind the S3 REST API: buckets, objects and their listings. */
  buckets: BucketService;
  objects: ObjectService;
  objectListing: ObjectListing;
  multipartUploads: MultipartService;
  server: { version: string; dialect: string; startedAt: Date };
}
