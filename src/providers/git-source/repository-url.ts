/**
 * A CodeStarSourceConnection action names its repository by `FullRepositoryId` (`owner/repo`,
 * or deeper for GitLab groups); Lockstep finds it under the connection's endpoint. The id is
 * the pipeline author's, the endpoint the operator's, so the id may not climb out of it.
 */
import { GitSourceError } from './git-source-error.js';

// Owner, group and repository names on every supported host use only these characters.
const SEGMENT = /^[A-Za-z0-9._~-]+$/;

/** The git URL of `fullRepositoryId` under a connection's endpoint. */
export function repositoryUrlFor(endpoint: string, fullRepositoryId: string): string {
  const segments = fullRepositoryId.split('/');
  for (const segment of segments) {
    if (!SEGMENT.test(segment) || segment === '.' || segment === '..') {
      throw new GitSourceError(
        `The FullRepositoryId '${fullRepositoryId}' is not valid: it must be names joined by '/', ` +
          "each of letters, digits, '.', '_', '~' and '-', and none may be '.' or '..'.",
      );
    }
  }
  return `${endpoint.replace(/\/+$/, '')}/${segments.join('/')}`;
}
