/**
 * Lockstep's own connection operations (`Lockstep_20261121.CreateConnection` ...): the AWS
 * CodeConnections shapes plus an `Endpoint`, the URL under which the host's repositories live,
 * and the provider type `Git` for any plain git server. A connection made here is AVAILABLE.
 * They share the CodeConnections IAM actions, so one policy governs both APIs.
 */
import { redactEndpoint } from '../connections/connection-endpoint.js';
import type { Connection } from '../connections/connection.js';
import {
  anyConnectionArn,
  fromWireTags,
  namedConnectionArn,
} from './codeconnections-operations.js';
import { defineOperation, type Operation } from './operation.js';

interface CreateInput {
  ConnectionName: string;
  ProviderType: string;
  Endpoint: string;
  CredentialsSecretArn?: string;
  Tags?: { Key: string; Value: string }[];
}

/** A connection in the Lockstep model's `Connection` shape. */
function wireConnection(c: Connection) {
  return {
    ConnectionName: c.connectionName,
    ConnectionArn: c.connectionArn,
    ProviderType: c.providerType,
    OwnerAccountId: c.ownerAccountId,
    ConnectionStatus: c.connectionStatus,
    ...(c.endpoint === undefined ? {} : { Endpoint: c.endpoint }),
    ...(c.credentialsSecretArn ? { CredentialsSecretArn: c.credentialsSecretArn } : {}),
    CreatedAt: c.created,
  };
}

/** The connection operations of Lockstep's own API, for the lockstepService table. */
export const lockstepConnectionOperations: Operation[] = [
  defineOperation<CreateInput>({
    name: 'CreateConnection',
    iamAction: 'codeconnections:CreateConnection',
    readOnly: false,
    resourceArn: anyConnectionArn,
    handle: async (input, { services }) => {
      const created = await services.connections.create({
        name: input.ConnectionName,
        providerType: input.ProviderType,
        endpoint: input.Endpoint,
        ...(input.CredentialsSecretArn ? { credentialsSecretArn: input.CredentialsSecretArn } : {}),
        tags: fromWireTags(input.Tags),
      });
      return { ...wireConnection(created), ...(input.Tags ? { Tags: input.Tags } : {}) };
    },
    // A refused endpoint may carry credentials; the audit trail must not keep them.
    auditParameters: (input) => ({ ...input, Endpoint: redactEndpoint(input.Endpoint) }),
  }),
  defineOperation<{ ConnectionArn: string }>({
    name: 'GetConnection',
    iamAction: 'codeconnections:GetConnection',
    readOnly: true,
    resourceArn: namedConnectionArn,
    handle: async (input, { services }) => ({
      Connection: wireConnection(await services.connections.get(input.ConnectionArn)),
    }),
  }),
  defineOperation<{ ProviderTypeFilter?: string; MaxResults?: number; NextToken?: string }>({
    name: 'ListConnections',
    iamAction: 'codeconnections:ListConnections',
    readOnly: true,
    resourceArn: () => '*',
    handle: async (input, { services }) => {
      const page = await services.connections.list({
        providerType: input.ProviderTypeFilter,
        maxResults: input.MaxResults,
        nextToken: input.NextToken,
      });
      return {
        Connections: page.connections.map(wireConnection),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },
  }),
  defineOperation<{ ConnectionArn: string }>({
    name: 'DeleteConnection',
    iamAction: 'codeconnections:DeleteConnection',
    readOnly: false,
    resourceArn: namedConnectionArn,
    handle: async (input, { services }) => {
      await services.connections.delete(input.ConnectionArn);
      return {};
    },
  }),
];
