/**
 * CodePipeline refuses a pipeline whose service role it cannot assume: the role must exist in
 * this account and its trust policy must let `codepipeline.amazonaws.com` call sts:AssumeRole.
 * Checked on CreatePipeline and UpdatePipeline, with CodePipeline's own exception and words, so
 * a pipeline never exists that would run with no identity at all.
 */
import { InvalidStructureException } from '../errors/codepipeline-errors.js';
import { CODEPIPELINE_SERVICE, trustsService } from '../jobs/action-credentials.js';
import type { IamRoleRecord } from '../store/iam-store.js';

/** Throws InvalidStructureException unless CodePipeline may assume `roleArn`. */
export async function requireAssumablePipelineRole(
  roles: { findByArn(roleArn: string): Promise<IamRoleRecord | undefined> },
  roleArn: string,
  nowMs: number = Date.now(),
): Promise<void> {
  const role = await roles.findByArn(roleArn);
  if (role !== undefined && trustsService(role, CODEPIPELINE_SERVICE, nowMs)) return;
  throw new InvalidStructureException(
    `CodePipeline is not authorized to perform AssumeRole on role ${roleArn}`,
  );
}
