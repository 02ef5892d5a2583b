/**
 * The resources an audit record names, derived from the ARN the call was authorized on (or,
 * for the engine's own events, the pipeline's): CloudTrail's `resources` array (ARN,
 * accountId, type) and LookupEvents' `Resources` (ResourceType, ResourceName). The name is
 * derived once, when the record is written, and hashed with it (record format version 2).
 */

/** One resource of a record, as stored in resources_json (members in this order). */
export interface AuditResource {
  ARN: string;
  /** The account in the ARN; absent when the ARN has none (S3). */
  accountId?: string;
  /** CloudFormation's resource type name, as CloudTrail shows it: AWS::IAM::Role. */
  type: string;
  /** What LookupEvents shows and matches as ResourceName. */
  name: string;
}

const ARN = /^arn:aws[a-z-]*:([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:(.+)$/;

/**
 * How each service's resource part maps to a type and to the name CloudTrail shows: the
 * resource's own name where CloudTrail shows it (pipelines, IAM entities, buckets, projects),
 * the whole ARN where CloudTrail does (keys, secrets, connections, objects).
 */
interface Kind {
  service: string;
  prefix: string;
  type: string;
  name: 'rest' | 'firstSegment' | 'lastSegment' | 'arn';
}

// Longer prefixes first within a service: the first match wins.
const KINDS: readonly Kind[] = [
  {
    service: 'codepipeline',
    prefix: 'actiontype:',
    type: 'AWS::CodePipeline::CustomActionType',
    name: 'arn',
  },
  {
    service: 'codepipeline',
    prefix: 'webhook:',
    type: 'AWS::CodePipeline::Webhook',
    name: 'lastSegment',
  },
  // An approval is authorized on PIPELINE/STAGE/ACTION: it is found under its pipeline's name.
  {
    service: 'codepipeline',
    prefix: '',
    type: 'AWS::CodePipeline::Pipeline',
    name: 'firstSegment',
  },
  { service: 'iam', prefix: 'user/', type: 'AWS::IAM::User', name: 'lastSegment' },
  { service: 'iam', prefix: 'role/', type: 'AWS::IAM::Role', name: 'lastSegment' },
  { service: 'iam', prefix: 'group/', type: 'AWS::IAM::Group', name: 'lastSegment' },
  { service: 'iam', prefix: 'policy/', type: 'AWS::IAM::ManagedPolicy', name: 'arn' },
  { service: 'iam', prefix: 'mfa/', type: 'AWS::IAM::MFADevice', name: 'arn' },
  { service: 'sts', prefix: 'assumed-role/', type: 'AWS::STS::AssumedRole', name: 'arn' },
  { service: 'kms', prefix: 'key/', type: 'AWS::KMS::Key', name: 'arn' },
  { service: 'kms', prefix: 'alias/', type: 'AWS::KMS::Alias', name: 'arn' },
  {
    service: 'secretsmanager',
    prefix: 'secret:',
    type: 'AWS::SecretsManager::Secret',
    name: 'arn',
  },
  {
    service: 'codeconnections',
    prefix: 'connection/',
    type: 'AWS::CodeConnections::Connection',
    name: 'arn',
  },
  {
    service: 'codestar-connections',
    prefix: 'connection/',
    type: 'AWS::CodeStarConnections::Connection',
    name: 'arn',
  },
  {
    service: 'codebuild',
    prefix: 'project/',
    type: 'AWS::CodeBuild::Project',
    name: 'lastSegment',
  },
  { service: 'logs', prefix: 'log-group:', type: 'AWS::Logs::LogGroup', name: 'rest' },
];

/**
 * The resource an authorized ARN names; none for `*`, a wildcard or something that is not an
 * ARN (a call refused before its resource was known). An ARN of a kind not listed above is
 * still recorded, typed after its service (AWS::<Service>::Resource), named by the ARN.
 */
export function auditResourcesOf(arn: string | undefined): AuditResource[] {
  if (arn === undefined || arn.includes('*')) return [];
  if (arn.startsWith('arn:aws:s3:::')) return [s3Resource(arn)];
  const match = ARN.exec(arn);
  if (match === null) return [];
  const [, service = '', , accountId, resource = ''] = match;
  const kind = KINDS.find((k) => k.service === service && resource.startsWith(k.prefix));
  const account = accountId === undefined ? {} : { accountId };
  if (kind === undefined) {
    return [{ ARN: arn, ...account, type: `AWS::${capitalized(service)}::Resource`, name: arn }];
  }
  const rest = resource.slice(kind.prefix.length);
  return [{ ARN: arn, ...account, type: kind.type, name: resourceName(kind, arn, rest) }];
}

function resourceName(kind: Kind, arn: string, rest: string): string {
  switch (kind.name) {
    case 'arn':
      return arn;
    case 'rest':
      return rest;
    case 'firstSegment':
      return rest.split('/', 1)[0] ?? rest;
    case 'lastSegment':
      return rest.slice(rest.lastIndexOf('/') + 1);
  }
}

/** A bucket is named by its name, an object by its ARN, as CloudTrail shows them. */
function s3Resource(arn: string): AuditResource {
  const path = arn.slice('arn:aws:s3:::'.length);
  return path.includes('/')
    ? { ARN: arn, type: 'AWS::S3::Object', name: arn }
    : { ARN: arn, type: 'AWS::S3::Bucket', name: path };
}

function capitalized(service: string): string {
  return service.charAt(0).toUpperCase() + service.slice(1);
}
