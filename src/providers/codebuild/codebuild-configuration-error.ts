/**
 * A problem with the action's configuration or its buildspec: the action fails with CodePipeline's
 * `ConfigurationError` code and this message, before any command runs.
 */
export class CodeBuildConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodeBuildConfigurationError';
  }
}
