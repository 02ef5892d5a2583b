/**
 * STS's operation table (Query protocol, `Version=2011-06-15`): GetCallerIdentity,
 * GetSessionToken and AssumeRole, each authorized as `sts:<Operation>` (AssumeRole on the
 * role's ARN) through the same hook as every other call.
 */
import { MfaService } from '../iam/mfa/mfa-service.js';
import { StsService, type AssumeRoleInput, type StsDependencies } from '../iam/sts/sts-service.js';
import { HIDDEN } from './model/hide-sensitive.js';
import { defineOperation, rawString, type Operation } from './operation.js';
import { QueryModel } from './query/query-model.js';
import type { QueryService } from './query/query-protocol.js';

type SessionInput = { DurationSeconds?: number; SerialNumber?: string; TokenCode?: string };

/** Every STS operation Lockstep serves. */
function stsOperations(sts: StsService): Operation[] {
  return [
    defineOperation<Record<string, never>>({
      name: 'GetCallerIdentity',
      iamAction: 'sts:GetCallerIdentity',
      readOnly: true,
      resourceArn: () => '*',
      handle: (_i, { principal }) => sts.getCallerIdentity(principal),
    }),
    defineOperation<SessionInput>({
      name: 'GetSessionToken',
      iamAction: 'sts:GetSessionToken',
      readOnly: true,
      resourceArn: () => '*',
      handle: (i, { principal }) => sts.getSessionToken(principal, i),
      // A one-time code has no place in the trail, even spent.
      auditParameters: ({ TokenCode: _code, ...rest }) => rest,
    }),
    defineOperation<AssumeRoleInput>({
      name: 'AssumeRole',
      iamAction: 'sts:AssumeRole',
      readOnly: false,
      resourceArn: (raw) => rawString(raw, 'RoleArn') ?? '*',
      handle: (i, { principal }) => sts.assumeRole(principal, i),
      auditParameters: ({ TokenCode: _code, ...rest }) => rest,
      // The model leaves the session token unmarked; it is half a credential all the same.
      auditResponse: (output) => hideSessionToken(output as AssumeRoleOutput),
    }),
  ];
}

/** STS over the Query protocol, sharing the endpoint with IAM (told apart by `Version`). */
export function stsQueryService(deps: StsDependencies): QueryService {
  const model = QueryModel.bundled('sts/2011-06-15');
  const operations = stsOperations(new StsService(deps, new MfaService(deps)));
  return {
    signingName: 'sts',
    eventSource: 'sts.amazonaws.com',
    model,
    operations: new Map(operations.map((o) => [o.name, o])),
  };
}

interface AssumeRoleOutput {
  Credentials: { SessionToken: string };
}

function hideSessionToken(output: AssumeRoleOutput): AssumeRoleOutput {
  return { ...output, Credentials: { ...output.Credentials, SessionToken: HIDDEN } };
}
