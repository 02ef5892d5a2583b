/**
 * The `Source/AWS/S3` action: the zip uploaded as `S3ObjectKey` in `S3Bucket` (through
 * Lockstep's S3 API) becomes the output artifact, read as the action's role. The object's
 * version is the artifact's revision, as in CodePipeline, and its ETag and VersionId are the
 * action's output variables. A StartPipelineExecution source revision of type
 * S3_OBJECT_VERSION_ID picks an older version.
 */
import type { JobOutcome } from '../../jobs/job-data.js';
import type { BuiltInProvider, ProviderContext } from '../built-in-provider.js';

export const s3SourceProvider: BuiltInProvider = {
  actionTypeKeys: ['Source/AWS/S3/1'],
  run: runS3Source,
};

async function runS3Source(ctx: ProviderContext): Promise<JobOutcome> {
  const config = ctx.payload.action.configuration ?? {};
  const bucket = config.S3Bucket ?? '';
  const key = config.S3ObjectKey ?? '';
  const output = ctx.payload.action.outputArtifacts?.[0];
  if (!output) return configurationError('The source action declares no output artifact.');
  if (ctx.objects === undefined) return configurationError('This server cannot read S3 objects.');
  const override = ctx.payload.sourceRevision;
  const versionId =
    override?.revisionType === 'S3_OBJECT_VERSION_ID' ? override.revisionValue : undefined;
  const object = await ctx.objects.get(bucket, key, versionId).catch((error: unknown) => {
    throw new Error(`s3://${bucket}/${key} could not be read: ${(error as Error).message}`, {
      cause: error,
    });
  });
  // CodePipeline's S3 source takes a zip and hands it on as the artifact itself.
  if (object.body.subarray(0, 2).toString('latin1') !== 'PK') {
    return configurationError(
      `s3://${bucket}/${key} is not a zip file; the S3 source action reads a .zip of the source`,
    );
  }
  const stored = await ctx.artifacts.putZip(ctx.outputKey(output.name), object.body);
  return {
    status: 'Succeeded',
    outputArtifacts: [{ name: output.name, ...stored, revision: object.versionId }],
    outputVariables: { ETag: object.etag, VersionId: object.versionId },
    summary: `s3://${bucket}/${key} version ${object.versionId}`,
  };
}

function configurationError(message: string): JobOutcome {
  return { status: 'Failed', errorCode: 'ConfigurationError', message };
}
