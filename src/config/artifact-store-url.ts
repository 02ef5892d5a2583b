/**
 * `--artifact-store`: where the object store (and so every artifact) keeps its sealed bytes.
 * Without it, files under DIR/objects (or beside --artifact-dir); with
 * `s3://bucket[/prefix]?endpoint=URL[&region=R]`, objects of an external S3-compatible bucket,
 * so that replicas on other machines share them. Credentials come from AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) in the server's environment, or else from the
 * AWS SDK's usual chain (profiles, instance roles): never from the URL, which `ps` would show.
 */
import { isPlausibleBucketName } from '../objects/bucket-name.js';
import type { S3StorageLocation } from '../objects/s3-envelope-storage.js';

/** The region the SDK signs for when the URL names none; S3-compatible services accept it. */
const DEFAULT_REGION = 'us-east-1';
const KNOWN_PARAMETERS = new Set(['endpoint', 'region']);

/** Compiles an `s3://` artifact store URL; throws an Error whose message says what is wrong. */
export function compileArtifactStoreUrl(
  raw: string,
  env: NodeJS.ProcessEnv,
  isLoopback: (host: string) => boolean,
): S3StorageLocation {
  const url = parse(raw);
  const bucket = url.hostname;
  if (!isPlausibleBucketName(bucket)) {
    throw new Error(`--artifact-store: '${bucket}' is not a valid bucket name`);
  }
  for (const name of url.searchParams.keys()) {
    if (!KNOWN_PARAMETERS.has(name)) {
      throw new Error(`--artifact-store: unknown parameter '${name}' (known: endpoint, region)`);
    }
  }
  return {
    bucket,
    prefix: prefixOf(url.pathname),
    endpoint: endpointOf(url.searchParams.get('endpoint'), isLoopback),
    region: url.searchParams.get('region') ?? DEFAULT_REGION,
    credentials: credentialsOf(env),
  };
}

function parse(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`--artifact-store must be an s3://bucket URL, got '${raw}'`);
  }
  if (url.protocol !== 's3:') {
    throw new Error(`--artifact-store must be an s3://bucket URL, got '${raw}'`);
  }
  if (url.username || url.password) {
    throw new Error(
      '--artifact-store must not hold credentials; set AWS_ACCESS_KEY_ID and ' +
        'AWS_SECRET_ACCESS_KEY in the environment of lockstep serve instead',
    );
  }
  return url;
}

/** '/builds/lockstep' becomes 'builds/lockstep/'; keys are prefix + bucket + '/' + id. */
function prefixOf(pathname: string): string {
  const trimmed = decodeURIComponent(pathname).replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

function endpointOf(raw: string | null, isLoopback: (host: string) => boolean): string | undefined {
  if (raw === null) return undefined;
  let endpoint: URL;
  try {
    endpoint = new URL(raw);
  } catch {
    throw new Error(`--artifact-store: endpoint '${raw}' is not a URL`);
  }
  if (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') {
    throw new Error(`--artifact-store: endpoint '${raw}' must be an http:// or https:// URL`);
  }
  // Envelopes are sealed, but requests signed in the clear can be replayed by anyone on the path.
  if (endpoint.protocol === 'http:' && !isLoopback(endpoint.hostname.replace(/^\[|\]$/g, ''))) {
    throw new Error(
      `--artifact-store: refusing plain http to ${endpoint.hostname}, which is not a loopback ` +
        'address; use https://',
    );
  }
  return endpoint.toString().replace(/\/$/, '');
}

function credentialsOf(env: NodeJS.ProcessEnv): S3StorageLocation['credentials'] {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return {
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  };
}
