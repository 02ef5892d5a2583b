/** Pipeline ARNs: `arn:aws:codepipeline:<region>:<account>:<name>`. */

export interface AccountScope {
  accountId: string;
  region: string;
}

/** The ARN of a pipeline in this account and region. */
export function pipelineArn(scope: AccountScope, name: string): string {
  return `arn:aws:codepipeline:${scope.region}:${scope.accountId}:${name}`;
}

/** The pipeline name an ARN names in this account and region, or undefined if it names none. */
export function pipelineNameFromArn(scope: AccountScope, arn: string): string | undefined {
  const prefix = `arn:aws:codepipeline:${scope.region}:${scope.accountId}:`;
  if (!arn.startsWith(prefix)) return undefined;
  const name = arn.slice(prefix.length);
  return /^[A-Za-z0-9.@\-_]{1,100}$/.test(name) ? name : undefined;
}
