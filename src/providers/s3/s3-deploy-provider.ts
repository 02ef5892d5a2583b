/**
 * The `Deploy/AWS/S3` action: publishes its input artifact to `BucketName` through the object
 * store, as the action's role. With `Extract` true every file of the zip becomes an object (under
 * `ObjectKey` as a folder when given); with `Extract` false the zip itself is stored as
 * `ObjectKey`. `KMSEncryptionKeyARN` seals the objects under that key and `CacheControl` is
 * stored with them. `CannedACL` is accepted and ignored: Lockstep's S3 has no ACLs, and the
 * summary says so.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { JobOutcome } from '../../jobs/job-data.js';
import type { ActionObjects, PutOptions } from '../../jobs/action-objects.js';
import type { BuiltInProvider, ProviderContext } from '../built-in-provider.js';

export const s3DeployProvider: BuiltInProvider = {
  actionTypeKeys: ['Deploy/AWS/S3/1'],
  run: runS3Deploy,
};

async function runS3Deploy(ctx: ProviderContext): Promise<JobOutcome> {
  const config = ctx.payload.action.configuration ?? {};
  const bucket = config.BucketName ?? '';
  const extract = (config.Extract ?? '').toLowerCase() === 'true';
  const objectKey = config.ObjectKey?.replace(/^\/+/, '');
  const input = ctx.payload.inputs[0];
  if (!input) return configurationError('The deploy action has no input artifact.');
  if (ctx.objects === undefined) return configurationError('This server cannot write S3 objects.');
  if (!extract && !objectKey) {
    return configurationError('ObjectKey is required when Extract is false.');
  }
  const options: PutOptions = {
    ...(config.KMSEncryptionKeyARN ? { kmsKeyId: config.KMSEncryptionKeyARN } : {}),
    ...(config.CacheControl ? { cacheControl: config.CacheControl } : {}),
  };
  const target = { objects: ctx.objects, bucket, options };
  const keys = extract
    ? await publishExtracted(ctx, input, target, objectKey)
    : [await publishZip(ctx, input, target, objectKey ?? '')];
  const note = config.CannedACL
    ? ` CannedACL ${config.CannedACL} was ignored: Lockstep's S3 has no ACLs.`
    : '';
  return {
    status: 'Succeeded',
    outputArtifacts: [],
    outputVariables: {},
    summary: `Published ${keys.length} object(s) to s3://${bucket}/${objectKey ?? ''}.${note}`,
  };
}

/** Where and how objects are published. */
interface Target {
  objects: ActionObjects;
  bucket: string;
  options: PutOptions;
}

type InputArtifact = ProviderContext['payload']['inputs'][number];

async function publishZip(
  ctx: ProviderContext,
  input: InputArtifact,
  target: Target,
  key: string,
): Promise<string> {
  const zip = await ctx.artifacts.readZip(input);
  await target.objects.put(target.bucket, key, zip, {
    ...target.options,
    contentType: 'application/zip',
  });
  return key;
}

async function publishExtracted(
  ctx: ProviderContext,
  input: InputArtifact,
  target: Target,
  prefix: string | undefined,
): Promise<string[]> {
  const dir = path.join(ctx.workspaceDir, 'deploy');
  await ctx.artifacts.extractTo(input, dir);
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const keys: string[] = [];
  for (const entry of entries.filter((e) => e.isFile())) {
    const file = path.join(entry.parentPath, entry.name);
    const relative = path.relative(dir, file).split(path.sep).join('/');
    const key = prefix ? `${prefix.replace(/\/+$/, '')}/${relative}` : relative;
    await target.objects.put(target.bucket, key, await readFile(file), {
      ...target.options,
      contentType: contentTypeOf(relative),
    });
    keys.push(key);
  }
  return keys;
}

/** The Content-Type S3 deploy sets for common web files; others are octet streams. */
function contentTypeOf(name: string): string {
  return CONTENT_TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.zip': 'application/zip',
};

function configurationError(message: string): JobOutcome {
  return { status: 'Failed', errorCode: 'ConfigurationError', message };
}
