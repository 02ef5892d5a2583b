/**
 * How long an action may run before CodePipeline times it out (DOCS limits.html): Manual
 * approval 7 days unless the action sets timeoutInMinutes, custom actions 24 hours, CodeBuild
 * 8 hours, S3 deploy 90 minutes, CloudFormation 3 days, CodeDeploy 5 days, the rest 1 hour.
 */
import type { ActionDeclaration } from '../pipelines/declaration.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** The action's timeout in milliseconds. */
export function actionTimeoutMs(action: ActionDeclaration): number {
  const { category, owner, provider } = action.actionTypeId;
  if (category === 'Approval' && provider === 'Manual') {
    return action.timeoutInMinutes !== undefined ? action.timeoutInMinutes * MINUTE_MS : 7 * DAY_MS;
  }
  if (owner === 'Custom') return DAY_MS;
  switch (provider) {
    case 'CodeBuild':
      return 8 * HOUR_MS;
    case 'CloudFormation':
    case 'CloudFormationStackSet':
    case 'CloudFormationStackInstances':
      return 3 * DAY_MS;
    case 'CodeDeploy':
    case 'CodeDeployToECS':
      return 5 * DAY_MS;
    case 'S3':
      return category === 'Deploy' ? 90 * MINUTE_MS : HOUR_MS;
    default:
      return HOUR_MS;
  }
}
