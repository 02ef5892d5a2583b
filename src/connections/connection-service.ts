/**
 * Connections to git hosts: create, read, list and delete, for both the AWS CodeConnections
 * API and Lockstep's own, over one store. Input has passed model validation; this applies the
 * rules the model cannot say (endpoint schemes, unique names, unique tag keys).
 */
import { randomUUID } from 'node:crypto';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import {
  ConnectionNameTakenError,
  type ConnectionRecord,
  type ConnectionStore,
} from '../store/connection-store.js';
import { canonicalConnectionArn, connectionArn } from './connection-arn.js';
import { checkConnectionEndpoint } from './connection-endpoint.js';
import {
  InvalidInputException,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  ResourceUnavailableException,
} from './connection-errors.js';
import type { Connection, ConnectionStatus, Tag } from './connection.js';

const DEFAULT_PAGE_SIZE = 100;

export interface CreateConnectionInput {
  name: string;
  providerType: string;
  /** Where the repositories live; without one the connection is PENDING. */
  endpoint?: string;
  /** The secret holding the host's credentials: an https token or {username, password}, an ssh key. */
  credentialsSecretArn?: string;
  tags?: Tag[];
}

export class ConnectionService {
  constructor(
    private readonly store: ConnectionStore,
    private readonly scope: AccountScope,
  ) {}

  /** Stores a new connection under a fresh ARN; names are unique in the account. */
  async create(input: CreateConnectionInput): Promise<Connection> {
    const endpoint = input.endpoint === undefined ? '' : checkConnectionEndpoint(input.endpoint);
    if (input.credentialsSecretArn !== undefined) {
      checkCredentialsSecret(input.credentialsSecretArn, endpoint, this.scope);
    }
    const tags = input.tags ?? [];
    checkUniqueTagKeys(tags);
    const record: ConnectionRecord = {
      // A fresh UUID each time, so that an ARN is never reused after a delete (as in AWS).
      arn: connectionArn(this.scope, randomUUID()),
      name: input.name,
      providerType: input.providerType,
      endpoint,
      status: endpoint === '' ? 'PENDING' : 'AVAILABLE',
      createdMs: Date.now(),
      ...(input.credentialsSecretArn ? { credentialsSecretArn: input.credentialsSecretArn } : {}),
    };
    try {
      await this.store.create(record, tags);
    } catch (error) {
      if (!(error instanceof ConnectionNameTakenError)) throw error;
      throw new ResourceAlreadyExistsException(
        `A connection named '${input.name}' already exists in account ${this.scope.accountId}.`,
        { cause: error },
      );
    }
    return this.toConnection(record);
  }

  /** The connection an ARN names (either service prefix); ResourceNotFoundException if none. */
  async get(arn: string): Promise<Connection> {
    const record = await this.store.get(canonicalConnectionArn(arn));
    if (record === undefined) {
      throw new ResourceNotFoundException(`Connection ${arn} does not exist.`);
    }
    return this.toConnection(record);
  }

  /** Connections in name order, optionally of one provider type, paged. */
  async list(options: {
    providerType?: string;
    maxResults?: number;
    nextToken?: string;
  }): Promise<{ connections: Connection[]; nextToken?: string }> {
    // MaxResults 0 is allowed by the model; AWS then uses its default page size.
    const limit = options.maxResults || DEFAULT_PAGE_SIZE;
    const records = await this.store.list({
      afterName: decodeToken(options.nextToken),
      limit: limit + 1,
      providerType: options.providerType,
    });
    const page = records.slice(0, limit);
    const last = page[page.length - 1];
    return {
      connections: page.map((record) => this.toConnection(record)),
      ...(records.length > limit && last ? { nextToken: encodeToken(last.name) } : {}),
    };
  }

  /** Deletes a connection and its tags; ResourceNotFoundException if there is none. */
  async delete(arn: string): Promise<void> {
    if (!(await this.store.delete(canonicalConnectionArn(arn)))) {
      throw new ResourceNotFoundException(`Connection ${arn} does not exist.`);
    }
  }

  /** The endpoint a source action fetches from; refused unless the connection is AVAILABLE. */
  async endpointOf(arn: string): Promise<string> {
    const connection = await this.get(arn);
    if (connection.connectionStatus !== 'AVAILABLE' || connection.endpoint === undefined) {
      throw new ResourceUnavailableException(
        `Connection ${arn} is ${connection.connectionStatus}: it has no endpoint. ` +
          "Create it with 'lockstep connections create --endpoint URL'.",
      );
    }
    return connection.endpoint;
  }

  private toConnection(record: ConnectionRecord): Connection {
    return {
      connectionArn: record.arn,
      connectionName: record.name,
      providerType: record.providerType,
      ownerAccountId: this.scope.accountId,
      connectionStatus: record.status as ConnectionStatus,
      ...(record.endpoint === '' ? {} : { endpoint: record.endpoint }),
      ...(record.credentialsSecretArn ? { credentialsSecretArn: record.credentialsSecretArn } : {}),
      created: new Date(record.createdMs),
    };
  }
}

/**
 * A connection's credentials are a secret of this account, named by its whole ARN (a name
 * could later mean another secret), for an https endpoint (a token) or an ssh one (a private
 * key); a file:// endpoint has no one to show credentials to.
 */
function checkCredentialsSecret(arn: string, endpoint: string, scope: AccountScope): void {
  const prefix = `arn:aws:secretsmanager:${scope.region}:${scope.accountId}:secret:`;
  if (!arn.startsWith(prefix) || arn.length === prefix.length) {
    throw new InvalidInputException(
      `CredentialsSecretArn must be the ARN of a secret in this account and region (${prefix}NAME-XXXXXX).`,
    );
  }
  if (!endpoint.startsWith('https://') && !endpoint.startsWith('ssh://')) {
    throw new InvalidInputException(
      'CredentialsSecretArn applies to https:// and ssh:// endpoints; a file:// endpoint needs no credentials.',
    );
  }
}

function checkUniqueTagKeys(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const tag of tags) {
    if (seen.has(tag.key)) throw new InvalidInputException(`Tag key '${tag.key}' appears twice.`);
    seen.add(tag.key);
  }
}

// Paging tokens are opaque to callers: base64url of the last name on the page.
function encodeToken(name: string): string {
  return Buffer.from(JSON.stringify({ after: name }), 'utf8').toString('base64url');
}

function decodeToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const { after } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      after?: unknown;
    };
    if (typeof after === 'string') return after;
  } catch {
    // Fall through: a token we did not make.
  }
  throw new InvalidInputException('The next token is not valid.');
}
