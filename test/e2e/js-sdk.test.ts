/**
 * The AWS SDK for JavaScript v3 against a real `bin/lockstep serve` on a loopback port: every
 * realistic fixture round-trips, versions, paging, tags, each error by name, authentication
 * failures, and the AWS JSON 1.1 protocol at the raw-HTTP level. The same smoke runs on
 * PostgreSQL when LOCKSTEP_TEST_DATABASE_URL names a server.
 *
 * The server runs from dist/: `npm test` builds first; run `npm run build` before running
 * vitest directly after changing src/.
 */
import {
  CreateCustomActionTypeCommand,
  CreatePipelineCommand,
  DeletePipelineCommand,
  GetPipelineCommand,
  InvalidActionDeclarationException,
  InvalidNextTokenException,
  InvalidStageDeclarationException,
  InvalidStructureException,
  InvalidTagsException,
  ListActionTypesCommand,
  ListPipelinesCommand,
  ListTagsForResourceCommand,
  PipelineNameInUseException,
  PipelineNotFoundException,
  PipelineVersionNotFoundException,
  ResourceNotFoundException,
  TagResourceCommand,
  TooManyTagsException,
  UntagResourceCommand,
  UpdatePipelineCommand,
  ValidationException,
  paginateListPipelines,
  type CodePipelineClient,
  type PipelineDeclaration,
  type PipelineSummary,
  type Tag,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLockstep, type LockstepProcess } from '../support/lockstep-process.js';
import { createTestDatabase, TEST_DATABASE_URL } from '../support/postgres.js';
import {
  expectedDeclaration,
  FIXTURE,
  CUSTOM_ACTION_TYPES,
  INVALID_FIXTURES,
  loadFixture,
  minimalDeclaration,
  SECRET_MASK,
  VALID_FIXTURES,
} from './support/pipeline-fixtures.js';
import { codePipelineClient, expectRecentDate, expectServiceError } from './support/sdk-client.js';
import { rawCall, type RawCall } from './support/signed-fetch.js';
import { stopLockstep } from './support/stop-lockstep.js';

const ACCOUNT = '123456789012';
const arnOf = (name: string) => `arn:aws:codepipeline:us-east-1:${ACCOUNT}:${name}`;

/** The configuration of the first action of the first stage (the source action). */
function sourceConfiguration(decl: PipelineDeclaration | undefined): Record<string, string> {
  const configuration = decl?.stages?.[0]?.actions?.[0]?.configuration;
  if (configuration === undefined) throw new Error('declaration has no source configuration');
  return configuration;
}

/** `value`, which a test cannot go on without. */
function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is missing`);
  return value;
}

/** `decl` with its Build action building `project` instead. */
function withProject(decl: PipelineDeclaration, project: string): PipelineDeclaration {
  const copy = structuredClone(decl);
  const build = required(copy.stages?.[1]?.actions?.[0], 'build action');
  build.configuration = { ProjectName: project };
  return copy;
}

describe('AWS SDK for JavaScript v3 against Lockstep (SQLite)', () => {
  let server: LockstepProcess;
  let client: CodePipelineClient;

  beforeAll(async () => {
    server = await startLockstep();
    client = codePipelineClient(server);
    for (const type of CUSTOM_ACTION_TYPES) {
      await client.send(new CreateCustomActionTypeCommand(type));
    }
  });
  afterAll(async () => {
    client?.destroy();
    await stopLockstep(server);
  });

  describe('realistic declarations', () => {
    it.each(VALID_FIXTURES)('%s comes back as sent, plus the documented defaults', async (file) => {
      const { pipeline } = loadFixture(file);
      const name = pipeline.name ?? '';
      const expected = expectedDeclaration(pipeline);

      const created = await client.send(new CreatePipelineCommand({ pipeline }));
      expect(created.pipeline).toEqual(expected);
      const got = await client.send(new GetPipelineCommand({ name }));
      expect(got.pipeline).toEqual(expected);
      expect(got.metadata?.pipelineArn).toBe(arnOf(name));
      expectRecentDate(got.metadata?.created);
      expectRecentDate(got.metadata?.updated);
    });

    it.each(Object.entries(INVALID_FIXTURES))('%s is refused with %s', async (file, code) => {
      const { pipeline } = loadFixture(file);
      const error = await expectServiceError(
        client.send(new CreatePipelineCommand({ pipeline })),
        code,
      );
      if (code === 'ValidationException') {
        expect(error.message).toContain(`at 'pipeline.roleArn' failed to satisfy constraint`);
      }
      await expectServiceError(
        client.send(new GetPipelineCommand({ name: pipeline.name })),
        'PipelineNotFoundException',
        PipelineNotFoundException,
      );
    });
  });

  describe('secret configuration', () => {
    const name = 'SecretKeeper';
    const token = 'ghp_lockstepE2eNewTokenValue0123456789';

    it('never shows the GitHub OAuthToken, and keeps it when the mask is sent back', async () => {
      const { pipeline } = loadFixture(FIXTURE.ecsRefarch);
      const originalToken = sourceConfiguration(pipeline).OAuthToken;
      pipeline.name = name;
      const created = await client.send(new CreatePipelineCommand({ pipeline }));
      expect(sourceConfiguration(created.pipeline).OAuthToken).toBe(SECRET_MASK);

      // Send back exactly what GetPipeline showed, mask included, changing only the branch.
      const shown = (await client.send(new GetPipelineCommand({ name }))).pipeline;
      expect(sourceConfiguration(shown).OAuthToken).toBe(SECRET_MASK);
      const edited = structuredClone(required(shown, 'GetPipeline pipeline'));
      sourceConfiguration(edited).Branch = 'release';
      const updated = await client.send(new UpdatePipelineCommand({ pipeline: edited }));
      expect(updated.pipeline?.version).toBe(2);
      expect(sourceConfiguration(updated.pipeline)).toMatchObject({
        Branch: 'release',
        OAuthToken: SECRET_MASK,
      });

      // A new token is accepted and is just as invisible.
      sourceConfiguration(edited).OAuthToken = token;
      const replaced = await client.send(new UpdatePipelineCommand({ pipeline: edited }));
      expect(replaced.pipeline?.version).toBe(3);
      expect(sourceConfiguration(replaced.pipeline).OAuthToken).toBe(SECRET_MASK);

      // No version, current or kept, carries either token on the wire.
      for (const version of [1, 2, 3]) {
        const raw = await rawCall(server, { body: JSON.stringify({ name, version }) });
        expect(raw.status).toBe(200);
        expect(raw.text).toContain(`"OAuthToken":"${SECRET_MASK}"`);
        expect(raw.text).not.toContain(originalToken);
        expect(raw.text).not.toContain(token);
      }
    });
  });

  describe('versions', () => {
    it('UpdatePipeline stores version 2 and GetPipeline still serves version 1', async () => {
      const original = minimalDeclaration('Versioned');
      await client.send(new CreatePipelineCommand({ pipeline: original }));
      const changed = withProject(original, 'lockstep-e2e-v2');

      const updated = await client.send(new UpdatePipelineCommand({ pipeline: changed }));
      expect(updated.pipeline).toEqual(expectedDeclaration(changed, 2));

      const current = await client.send(new GetPipelineCommand({ name: 'Versioned' }));
      expect(current.pipeline).toEqual(expectedDeclaration(changed, 2));
      expectRecentDate(current.metadata?.updated);
      expect(current.metadata?.updated?.getTime()).toBeGreaterThanOrEqual(
        current.metadata?.created?.getTime() ?? Infinity,
      );
      const first = await client.send(new GetPipelineCommand({ name: 'Versioned', version: 1 }));
      expect(first.pipeline).toEqual(expectedDeclaration(original, 1));

      const error = await expectServiceError(
        client.send(new GetPipelineCommand({ name: 'Versioned', version: 99 })),
        'PipelineVersionNotFoundException',
        PipelineVersionNotFoundException,
      );
      expect(error.message).toContain('99');
    });

    it('UpdatePipeline of a pipeline that does not exist is PipelineNotFoundException', async () => {
      await expectServiceError(
        client.send(new UpdatePipelineCommand({ pipeline: minimalDeclaration('NeverCreated') })),
        'PipelineNotFoundException',
        PipelineNotFoundException,
      );
    });
  });

  describe('tags', () => {
    const name = 'Tagged';
    const arn = arnOf(name);
    const listTags = async (): Promise<Tag[]> =>
      (await client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? [];
    const byKey = (tags: Tag[]) =>
      [...tags].sort((a, b) => (a.key ?? '').localeCompare(b.key ?? ''));

    beforeAll(async () => {
      await client.send(
        new CreatePipelineCommand({
          pipeline: minimalDeclaration(name),
          tags: [{ key: 'team', value: 'platform' }],
        }),
      );
    });

    it('keeps tags from CreatePipeline, adds and overwrites with TagResource, removes with UntagResource', async () => {
      expect(await listTags()).toEqual([{ key: 'team', value: 'platform' }]);
      await client.send(
        new TagResourceCommand({
          resourceArn: arn,
          tags: [
            { key: 'env', value: 'prod' },
            { key: 'team', value: 'delivery' },
          ],
        }),
      );
      expect(byKey(await listTags())).toEqual([
        { key: 'env', value: 'prod' },
        { key: 'team', value: 'delivery' },
      ]);
      await client.send(
        new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team', 'absent'] }),
      );
      expect(await listTags()).toEqual([{ key: 'env', value: 'prod' }]);
    });

    it('refuses a 51st tag with TooManyTagsException and applies none of them', async () => {
      const before = await listTags();
      const tags = Array.from({ length: 51 - before.length }, (_, i) => ({
        key: `k${i}`,
        value: 'v',
      }));
      await expectServiceError(
        client.send(new TagResourceCommand({ resourceArn: arn, tags })),
        'TooManyTagsException',
        TooManyTagsException,
      );
      expect(await listTags()).toEqual(before);
      const fiftyOne = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
      await expectServiceError(
        client.send(
          new CreatePipelineCommand({
            pipeline: minimalDeclaration('TooManyTags'),
            tags: fiftyOne,
          }),
        ),
        'TooManyTagsException',
        TooManyTagsException,
      );
      await expectServiceError(
        client.send(new GetPipelineCommand({ name: 'TooManyTags' })),
        'PipelineNotFoundException',
        PipelineNotFoundException,
      );
    });

    it('refuses keys in the reserved aws: prefix with InvalidTagsException', async () => {
      await expectServiceError(
        client.send(
          new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'aws:x', value: 'y' }] }),
        ),
        'InvalidTagsException',
        InvalidTagsException,
      );
    });

    it('answers ResourceNotFoundException for a pipeline ARN that names nothing', async () => {
      const missing = arnOf('NoSuchPipeline');
      await expectServiceError(
        client.send(new ListTagsForResourceCommand({ resourceArn: missing })),
        'ResourceNotFoundException',
        ResourceNotFoundException,
      );
      await expectServiceError(
        client.send(
          new TagResourceCommand({ resourceArn: missing, tags: [{ key: 'a', value: 'b' }] }),
        ),
        'ResourceNotFoundException',
        ResourceNotFoundException,
      );
      await expectServiceError(
        client.send(new UntagResourceCommand({ resourceArn: missing, tagKeys: ['a'] })),
        'ResourceNotFoundException',
        ResourceNotFoundException,
      );
    });

    it('deletes tags with their pipeline: a pipeline created again starts untagged', async () => {
      await client.send(
        new CreatePipelineCommand({
          pipeline: minimalDeclaration('Reborn'),
          tags: [{ key: 'generation', value: '1' }],
        }),
      );
      await client.send(new DeletePipelineCommand({ name: 'Reborn' }));
      await client.send(new CreatePipelineCommand({ pipeline: minimalDeclaration('Reborn') }));
      const { tags } = await client.send(
        new ListTagsForResourceCommand({ resourceArn: arnOf('Reborn') }),
      );
      expect(tags ?? []).toEqual([]);
    });
  });

  describe('errors, each by name', () => {
    const v1WithVariables = (): PipelineDeclaration => ({
      ...minimalDeclaration('V1WithVariables'),
      pipelineType: 'V1',
      variables: [{ name: 'Region', defaultValue: 'us-east-1' }],
    });
    const withSourceInSecondStage = (): PipelineDeclaration => {
      const decl = minimalDeclaration('SourceLate');
      const source = required(decl.stages?.[0]?.actions?.[0], 'source action');
      decl.stages?.[1]?.actions?.push({ ...structuredClone(source), name: 'LateSource' });
      return decl;
    };
    const withUnknownProvider = (): PipelineDeclaration => {
      const decl = minimalDeclaration('UnknownProvider');
      const build = decl.stages?.[1]?.actions?.[0];
      if (build?.actionTypeId) build.actionTypeId.provider = 'Jenkins2000';
      return decl;
    };

    it('PipelineNotFoundException for GetPipeline of a missing name', async () => {
      const error = await expectServiceError(
        client.send(new GetPipelineCommand({ name: 'Missing' })),
        'PipelineNotFoundException',
        PipelineNotFoundException,
      );
      expect(error.message).toContain('Missing');
    });

    it('PipelineNameInUseException for a second CreatePipeline of one name', async () => {
      await client.send(new CreatePipelineCommand({ pipeline: minimalDeclaration('Twice') }));
      await expectServiceError(
        client.send(new CreatePipelineCommand({ pipeline: minimalDeclaration('Twice') })),
        'PipelineNameInUseException',
        PipelineNameInUseException,
      );
    });

    it('InvalidStructureException for a pipeline of one stage', async () => {
      const decl = minimalDeclaration('OneStage');
      decl.stages = decl.stages?.slice(0, 1);
      const error = await expectServiceError(
        client.send(new CreatePipelineCommand({ pipeline: decl })),
        'InvalidStructureException',
        InvalidStructureException,
      );
      expect(error.message).toMatch(/stage/i);
    });

    it('InvalidActionDeclarationException for an action type nobody provides', async () => {
      const error = await expectServiceError(
        client.send(new CreatePipelineCommand({ pipeline: withUnknownProvider() })),
        'InvalidActionDeclarationException',
        InvalidActionDeclarationException,
      );
      expect(error.message).toContain('Jenkins2000');
    });

    it('InvalidStageDeclarationException for a Source action outside the first stage', async () => {
      await expectServiceError(
        client.send(new CreatePipelineCommand({ pipeline: withSourceInSecondStage() })),
        'InvalidStageDeclarationException',
        InvalidStageDeclarationException,
      );
    });

    it('ValidationException naming the member for a name outside the pattern', async () => {
      const error = await expectServiceError(
        client.send(new CreatePipelineCommand({ pipeline: minimalDeclaration('bad name!') })),
        'ValidationException',
        ValidationException,
      );
      expect(error.message).toContain(
        "Value 'bad name!' at 'pipeline.name' failed to satisfy constraint",
      );
    });

    it('InvalidStructureException for a V2-only feature in a V1 pipeline', async () => {
      const error = await expectServiceError(
        client.send(new CreatePipelineCommand({ pipeline: v1WithVariables() })),
        'InvalidStructureException',
        InvalidStructureException,
      );
      expect(error.message).toContain('V2');
    });

    it('none of the refused declarations was stored', async () => {
      const { pipelines } = await client.send(new ListPipelinesCommand({}));
      const names = (pipelines ?? []).map((summary) => summary.name);
      for (const refused of ['OneStage', 'UnknownProvider', 'SourceLate', 'V1WithVariables']) {
        expect(names).not.toContain(refused);
      }
      expect(names).toContain('Twice');
    });
  });

  describe('DeletePipeline', () => {
    it('removes the pipeline, and a missing name is not an error (as in AWS)', async () => {
      await client.send(new CreatePipelineCommand({ pipeline: minimalDeclaration('Doomed') }));
      await client.send(new DeletePipelineCommand({ name: 'Doomed' }));
      await expectServiceError(
        client.send(new GetPipelineCommand({ name: 'Doomed' })),
        'PipelineNotFoundException',
        PipelineNotFoundException,
      );
      const again = await client.send(new DeletePipelineCommand({ name: 'Doomed' }));
      expect(again.$metadata.httpStatusCode).toBe(200);
    });
  });

  describe('authentication', () => {
    it('refuses a request signed with a wrong secret: InvalidSignatureException', async () => {
      const wrong = codePipelineClient(server, {
        credentials: { ...server.credentials, secretAccessKey: 'x'.repeat(40) },
      });
      const error = await expectServiceError(
        wrong.send(new ListPipelinesCommand({})),
        'InvalidSignatureException',
      );
      expect(error.message).toContain('does not match the signature you provided');
      wrong.destroy();
    });

    it('refuses an access key it never issued: UnrecognizedClientException', async () => {
      const stranger = codePipelineClient(server, {
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40) },
      });
      const error = await expectServiceError(
        stranger.send(new ListPipelinesCommand({})),
        'UnrecognizedClientException',
      );
      expect(error.message).toBe('The security token included in the request is invalid.');
      stranger.destroy();
    });

    it('refuses a request signed for another region: InvalidSignatureException', async () => {
      const elsewhere = codePipelineClient(server, { region: 'eu-west-1' });
      await expectServiceError(
        elsewhere.send(new ListPipelinesCommand({})),
        'InvalidSignatureException',
      );
      elsewhere.destroy();
    });
  });

  describe('ListActionTypes', () => {
    const idOf = (t: { id?: { category?: string; owner?: string; provider?: string } }) =>
      `${t.id?.category}/${t.id?.owner}/${t.id?.provider}`;

    it('lists the built-in types, with GitHub OAuthToken marked secret', async () => {
      const { actionTypes } = await client.send(new ListActionTypesCommand({}));
      const ids = (actionTypes ?? []).map(idOf);
      expect(ids).toEqual(
        expect.arrayContaining([
          'Source/AWS/S3',
          'Source/AWS/CodeCommit',
          'Build/AWS/CodeBuild',
          'Test/AWS/CodeBuild',
          'Approval/AWS/Manual',
          'Deploy/AWS/CodeDeploy',
          'Invoke/AWS/Lambda',
          'Source/ThirdParty/GitHub',
        ]),
      );
      const github = actionTypes?.find((t) => idOf(t) === 'Source/ThirdParty/GitHub');
      const oauth = github?.actionConfigurationProperties?.find((p) => p.name === 'OAuthToken');
      expect(oauth).toMatchObject({ required: true, secret: true });
    });

    it('with actionOwnerFilter ThirdParty lists only ThirdParty types', async () => {
      const { actionTypes } = await client.send(
        new ListActionTypesCommand({ actionOwnerFilter: 'ThirdParty' }),
      );
      expect(actionTypes?.length).toBeGreaterThan(0);
      expect(new Set(actionTypes?.map((t) => t.id?.owner))).toEqual(new Set(['ThirdParty']));
      expect(actionTypes?.map(idOf)).toContain('Source/ThirdParty/GitHub');
    });
  });

  describe('raw AWS JSON 1.1 over HTTP', () => {
    const target = (operation: string) => `CodePipeline_20150709.${operation}`;
    // Bigger than the 2 MiB body limit, yet a well-formed CreatePipeline an SDK could send.
    const hugeBody = () =>
      JSON.stringify({
        pipeline: {
          ...minimalDeclaration('Huge'),
          roleArn: `arn:aws:iam::${ACCOUNT}:role/${'r'.repeat(3 * 1024 * 1024)}`,
        },
      });

    const cases: { what: string; status: number; code: string; call: RawCall }[] = [
      {
        what: 'malformed JSON',
        status: 400,
        code: 'SerializationException',
        call: { body: '{"name": ' },
      },
      {
        what: 'a JSON array body',
        status: 400,
        code: 'SerializationException',
        call: { body: '[]' },
      },
      {
        what: 'an unknown X-Amz-Target',
        status: 400,
        code: 'UnknownOperationException',
        call: { target: target('LaunchRockets'), body: '{}' },
      },
      {
        what: 'no X-Amz-Target',
        status: 400,
        code: 'UnknownOperationException',
        call: { target: null, body: '{}' },
      },
      {
        what: 'no Authorization header',
        status: 403,
        code: 'MissingAuthenticationTokenException',
        call: { body: '{"name":"x"}', sign: false },
      },
      {
        what: 'a body over 2 MiB',
        status: 413,
        code: 'RequestEntityTooLargeException',
        call: { target: target('CreatePipeline'), body: hugeBody() },
      },
      {
        what: 'a number where a string belongs',
        status: 400,
        code: 'SerializationException',
        call: { body: '{"name": 42}' },
      },
      {
        what: 'a string where an integer belongs',
        status: 400,
        code: 'SerializationException',
        call: { body: '{"name": "x", "version": "one"}' },
      },
      {
        what: 'an object where a list belongs',
        status: 400,
        code: 'SerializationException',
        call: {
          target: target('UntagResource'),
          body: `{"resourceArn": "${arnOf('x')}", "tagKeys": {"a": 1}}`,
        },
      },
    ];

    it.each(cases)(
      '$what is a $status $code, in the JSON body and in x-amzn-ErrorType',
      async ({ call, status, code }) => {
        const response = await rawCall(server, call);
        expect(response.status).toBe(status);
        expect(response.headers.get('x-amzn-errortype')).toBe(code);
        expect(response.json?.__type).toBe(code);
        expect(response.json?.message).toEqual(expect.stringMatching(/./));
      },
    );

    it('sends timestamps as epoch seconds, the way the SDKs parse them', async () => {
      await client.send(new CreatePipelineCommand({ pipeline: minimalDeclaration('Stamped') }));
      const response = await rawCall(server, { body: JSON.stringify({ name: 'Stamped' }) });
      expect(response.status).toBe(200);
      // Exactly what AWS sends: no charset parameter.
      expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      const metadata = response.json?.metadata as { created: unknown; updated: unknown };
      for (const stamp of [metadata.created, metadata.updated]) {
        expect(typeof stamp).toBe('number');
        expect(Math.abs((stamp as number) - Date.now() / 1000)).toBeLessThan(60);
      }
    });
  });
});

describe('ListPipelines paging (a fresh server holding five pipelines)', () => {
  const names = ['page-a', 'page-b', 'page-c', 'page-d', 'page-e'];
  let server: LockstepProcess;
  let client: CodePipelineClient;

  beforeAll(async () => {
    server = await startLockstep();
    client = codePipelineClient(server);
    for (const name of names.slice(0, 4)) {
      await client.send(new CreatePipelineCommand({ pipeline: minimalDeclaration(name) }));
    }
    const queued: PipelineDeclaration = {
      ...minimalDeclaration('page-e'),
      pipelineType: 'V2',
      executionMode: 'QUEUED',
    };
    await client.send(new CreatePipelineCommand({ pipeline: queued }));
  });
  afterAll(async () => {
    client?.destroy();
    await stopLockstep(server);
  });

  it('pages two at a time with the SDK paginator', async () => {
    const pages: PipelineSummary[][] = [];
    for await (const page of paginateListPipelines({ client, pageSize: 2 }, {})) {
      pages.push(page.pipelines ?? []);
    }
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    const summaries = pages.flat();
    expect(summaries.map((summary) => summary.name).sort()).toEqual(names);
    for (const summary of summaries) {
      expect(summary.version).toBe(1);
      expectRecentDate(summary.created);
      expectRecentDate(summary.updated);
    }
    expect(summaries.find((summary) => summary.name === 'page-e')).toMatchObject({
      pipelineType: 'V2',
      executionMode: 'QUEUED',
    });
    expect(summaries.find((summary) => summary.name === 'page-a')).toMatchObject({
      pipelineType: 'V1',
      executionMode: 'SUPERSEDED',
    });
  });

  it('pages by hand with nextToken until none comes back', async () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    let requests = 0;
    do {
      const page = await client.send(new ListPipelinesCommand({ maxResults: 2, nextToken }));
      requests += 1;
      expect(page.pipelines?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.pipelines ?? []).map((summary) => summary.name ?? ''));
      nextToken = page.nextToken;
    } while (nextToken !== undefined && requests < 10);
    expect(requests).toBe(3);
    expect(seen.sort()).toEqual(names);
  });

  it('refuses a nextToken it did not issue: InvalidNextTokenException', async () => {
    await expectServiceError(
      client.send(new ListPipelinesCommand({ nextToken: 'not-a-token-we-issued' })),
      'InvalidNextTokenException',
      InvalidNextTokenException,
    );
  });

  it('refuses maxResults 0 (the model minimum is 1): ValidationException', async () => {
    const error = await expectServiceError(
      client.send(new ListPipelinesCommand({ maxResults: 0 })),
      'ValidationException',
      ValidationException,
    );
    expect(error.message).toContain("at 'maxResults' failed to satisfy constraint");
  });
});

if (TEST_DATABASE_URL === undefined || TEST_DATABASE_URL === '') {
  console.warn(
    'js-sdk.test.ts: the PostgreSQL pass is skipped: set LOCKSTEP_TEST_DATABASE_URL to a server ' +
      'where the role may CREATE DATABASE (scripts/start-test-postgres.sh starts one)',
  );
  describe.skip('AWS SDK for JavaScript v3 against Lockstep (PostgreSQL)', () => {
    it('needs LOCKSTEP_TEST_DATABASE_URL', () => {});
  });
} else {
  describe('AWS SDK for JavaScript v3 against Lockstep (PostgreSQL)', () => {
    let database: { url: string; drop(): Promise<void> } | undefined;
    let server: LockstepProcess | undefined;
    let client: CodePipelineClient;

    beforeAll(async () => {
      database = await createTestDatabase();
      server = await startLockstep({ databaseUrl: database.url });
      client = codePipelineClient(server);
    });
    afterAll(async () => {
      client?.destroy();
      await stopLockstep(server);
      await database?.drop();
    });

    it('creates, reads, updates, lists, tags and deletes', async () => {
      const { pipeline } = loadFixture(FIXTURE.v2MyPipeline);
      const name = pipeline.name ?? '';
      await client.send(
        new CreatePipelineCommand({ pipeline, tags: [{ key: 'db', value: 'postgres' }] }),
      );
      const got = await client.send(new GetPipelineCommand({ name }));
      expect(got.pipeline).toEqual(expectedDeclaration(pipeline));
      expectRecentDate(got.metadata?.created);

      const changed = { ...structuredClone(pipeline), executionMode: 'PARALLEL' as const };
      const updated = await client.send(new UpdatePipelineCommand({ pipeline: changed }));
      expect(updated.pipeline).toEqual(expectedDeclaration(changed, 2));
      const first = await client.send(new GetPipelineCommand({ name, version: 1 }));
      expect(first.pipeline).toEqual(expectedDeclaration(pipeline));

      const { pipelines } = await client.send(new ListPipelinesCommand({}));
      expect(pipelines).toEqual([
        expect.objectContaining({
          name,
          version: 2,
          pipelineType: 'V2',
          executionMode: 'PARALLEL',
        }),
      ]);
      const { tags } = await client.send(
        new ListTagsForResourceCommand({ resourceArn: arnOf(name) }),
      );
      expect(tags).toEqual([{ key: 'db', value: 'postgres' }]);

      await client.send(new DeletePipelineCommand({ name }));
      await expectServiceError(
        client.send(new GetPipelineCommand({ name })),
        'PipelineNotFoundException',
        PipelineNotFoundException,
      );
    });
  });
}
