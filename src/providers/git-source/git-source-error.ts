/**
 * A git source that cannot be fetched for a reason the pipeline's author can fix (no such
 * repository or branch, a refused name, a timeout). The source action turns it into a failed
 * action with this message; any other error is Lockstep's own fault.
 */
export class GitSourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GitSourceError';
  }
}
