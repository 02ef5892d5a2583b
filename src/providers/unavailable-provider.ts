/**
 * Actions Lockstep cannot run on the user's machines (CodeDeploy, ECS, CloudFormation,
 * Lambda, ...): accepted in declarations, as CodePipeline accepts them, but failed at once
 * with a ConfigurationError that names the provider, so a run never hangs on them.
 */
import type { JobOutcome } from '../jobs/job-data.js';
import type { BuiltInProvider, ProviderContext } from './built-in-provider.js';

/** A provider that fails every action of the given types with a clear reason. */
export function unavailableProvider(actionTypeKeys: string[]): BuiltInProvider {
  return {
    actionTypeKeys,
    run: ({ payload }: ProviderContext): Promise<JobOutcome> => {
      const { category, owner, provider, version } = payload.jobData.actionTypeId;
      return Promise.resolve({
        status: 'Failed',
        errorCode: 'ConfigurationError',
        message:
          `Lockstep cannot run ${category} actions of provider ${provider} (owner ${owner}, version ${version}): ` +
          'they act on AWS services this installation does not reach. Use a Commands or CodeBuild ' +
          'action, or a custom action type served by a job worker, for this step.',
      });
    },
  };
}
