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

/** The ARN of a custom action type, as CodePipeline names it for tagging. */
export function customActionTypeArn(
  scope: AccountScope,
  id: { category: string; provider: string; version: string },
): string {
  return `arn:aws:codepipeline:${scope.region}:${scope.accountId}:actiontype:Custom/${id.category}/${id.provider}/${id.version}`;
}

/** The custom action type id an ARN names in this account and region, or undefined. */
export function customActionTypeFromArn(
  scope: AccountScope,
  arn: string,
): { category: string; provider: string; version: string } | undefined {
  const prefix = `arn:aws:codepipeline:${scope.region}:${scope.accountId}:actiontype:Custom/`;
  if (!arn.startsWith(prefix)) return undefined;
  const [category, provider, version, ...rest] = arn.slice(prefix.length).split('/');
  if (!category || !provider || !version || rest.length > 0) return undefined;
  return { category, provider, version };
}
