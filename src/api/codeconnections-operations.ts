/**
 * The operation table of AWS CodeConnections
 * (`com.amazonaws.codeconnections.CodeConnections_20231201`, JSON 1.0), for the connection
 * operations only. A connection created here has no endpoint, so it stays PENDING, as AWS's own
 * do until the console handshake; `lockstep connections create --endpoint` makes usable ones.
 */
import { canonicalConnectionArn } from '../connections/connection-arn.js';
import {
  InvalidInputException,
  ResourceUnavailableException,
} from '../connections/connection-errors.js';
import type { Connection, Tag } from '../connections/connection.js';
import { defineOperation, rawString, type JsonService, type Operation } from './operation.js';
import type { ServerServices } from './server-services.js';

interface WireTag {
  Key: string;
  Value: string;
}

/** The resource of a create: the connection does not exist yet, so any connection. */
export function anyConnectionArn(_raw: Record<string, unknown>, services: ServerServices): string {
  const { region, accountId } = services.scope;
  return `arn:aws:codeconnections:${region}:${accountId}:connection/*`;
}

/** The resource of a call that names a connection by ARN. */
export function namedConnectionArn(raw: Record<string, unknown>): string {
  const arn = rawString(raw, 'ConnectionArn');
  return arn === undefined ? '*' : canonicalConnectionArn(arn);
}

/** Tags from the wire's `{Key, Value}` to the domain's. */
export function fromWireTags(tags: WireTag[] | undefined): Tag[] {
  return (tags ?? []).map((tag) => ({ key: tag.Key, value: tag.Value }));
}

/** A connection in the model's `Connection` shape. */
function wireConnection(c: Connection) {
  return {
    ConnectionName: c.connectionName,
    ConnectionArn: c.connectionArn,
    ProviderType: c.providerType,
    OwnerAccountId: c.ownerAccountId,
    ConnectionStatus: c.connectionStatus,
  };
}

const operations: Operation[] = [
  defineOperation<{
    ConnectionName: string;
    ProviderType?: string;
    HostArn?: string;
    Tags?: WireTag[];
  }>({
    name: 'CreateConnection',
    iamAction: 'codeconnections:CreateConnection',
    readOnly: false,
    resourceArn: anyConnectionArn,
    handle: async (input, { services }) => {
      // Lockstep has no hosts (CreateHost), so no host ARN can name one.
      if (input.HostArn !== undefined) {
        throw new ResourceUnavailableException(`Host ${input.HostArn} does not exist.`);
      }
      if (input.ProviderType === undefined) {
        throw new InvalidInputException('ProviderType is required when HostArn is not given.');
      }
      const created = await services.connections.create({
        name: input.ConnectionName,
        providerType: input.ProviderType,
        tags: fromWireTags(input.Tags),
      });
      return { ConnectionArn: created.connectionArn, ...(input.Tags ? { Tags: input.Tags } : {}) };
    },
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
  defineOperation<{
    ProviderTypeFilter?: string;
    HostArnFilter?: string;
    MaxResults?: number;
    NextToken?: string;
  }>({
    name: 'ListConnections',
    iamAction: 'codeconnections:ListConnections',
    readOnly: true,
    resourceArn: () => '*',
    handle: async (input, { services }) => {
      // No connection belongs to a host in Lockstep, so a host filter matches none.
      if (input.HostArnFilter !== undefined) return { Connections: [] };
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

/** AWS CodeConnections over JSON 1.0, as `aws codeconnections` and the SDKs call it. */
export const codeConnectionsService: JsonService = {
  targetPrefix: 'com.amazonaws.codeconnections.CodeConnections_20231201',
  signingName: 'codeconnections',
  eventSource: 'codeconnections.amazonaws.com',
  model: 'codeconnections/2023-12-01',
  operations: new Map(operations.map((op) => [op.name, op])),
};
