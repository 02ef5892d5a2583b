/**
 * The part of the StateStore that keeps connections: a name, a provider type and the git
 * endpoint Lockstep fetches sources from. The ARN is the key; names are unique too.
 */

/** A connection as stored. `endpoint` is '' when nobody has said where the host is yet. */
export interface ConnectionRecord {
  arn: string;
  name: string;
  providerType: string;
  endpoint: string;
  status: string;
  createdMs: number;
  /** The Secrets Manager secret with the host's credentials; read as the action's role. */
  credentialsSecretArn?: string;
}

/** Thrown by create() when another connection has the name, so the caller can map it. */
export class ConnectionNameTakenError extends Error {
  constructor(readonly connectionName: string) {
    super(`connection ${connectionName} already exists`);
  }
}

export interface ConnectionStore {
  /**
   * Inserts a connection and its tags in one transaction; throws ConnectionNameTakenError if
   * the name is taken. Tag keys must already be unique.
   */
  create(record: ConnectionRecord, tags: readonly { key: string; value: string }[]): Promise<void>;
  get(arn: string): Promise<ConnectionRecord | undefined>;
  /** Connections in name order after `afterName`, at most `limit`, of one provider type if set. */
  list(options: {
    afterName?: string;
    limit: number;
    providerType?: string;
  }): Promise<ConnectionRecord[]>;
  /** Deletes a connection and its tags; false if there was none. */
  delete(arn: string): Promise<boolean>;
}
