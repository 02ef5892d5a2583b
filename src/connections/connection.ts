/**
 * Terms: a *connection* names a git host (its provider type) and, in Lockstep, the *endpoint*
 * URL under which that host's repositories live. A connection is AVAILABLE once Lockstep
 * knows its endpoint; one created through the AWS CodeConnections API has none and stays
 * PENDING, as AWS's own do until someone completes the handshake in the console.
 */

/** Provider types the AWS CodeConnections model allows. */
export const AWS_PROVIDER_TYPES = [
  'Bitbucket',
  'GitHub',
  'GitHubEnterpriseServer',
  'GitLab',
  'GitLabSelfManaged',
  'AzureDevOps',
] as const;

/** Provider types Lockstep's own API allows: AWS's, plus any plain git server. */
export const LOCKSTEP_PROVIDER_TYPES = ['Git', ...AWS_PROVIDER_TYPES] as const;

export type ConnectionProviderType = (typeof LOCKSTEP_PROVIDER_TYPES)[number];

export type ConnectionStatus = 'PENDING' | 'AVAILABLE' | 'ERROR';

export interface Connection {
  connectionArn: string;
  connectionName: string;
  providerType: string;
  ownerAccountId: string;
  connectionStatus: ConnectionStatus;
  /** Absent while PENDING: nobody has said where the host is. */
  endpoint?: string;
  /** The secret with the host's https credentials or ssh key, read when a source action runs. */
  credentialsSecretArn?: string;
  created: Date;
}

export interface Tag {
  key: string;
  value: string;
}
