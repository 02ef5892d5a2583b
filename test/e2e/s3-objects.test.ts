/**
 * The S3 REST API with real clients against real `bin/lockstep serve` processes: boto3 for
 * everything (one python3 process per scenario, reporting what it saw as JSON), the AWS CLI v1
 * (`aws s3` and `aws s3api`) and, when present, v2. One server speaks plain HTTP, where boto3
 * signs every payload's SHA-256; a second speaks TLS, where boto3 streams uploads as aws-chunked
 * bodies with a CRC32 trailer. The data directory is then inspected from outside: a flipped byte
 * must be caught, and no plaintext of an object may be found in it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLockstep, type LockstepProcess } from '../support/lockstep-process.js';
import {
  makeTestCertificates,
  OPENSSL_MISSING,
  type TestCertificates,
} from '../integration/support/test-certificates.js';
import { clientEnv, everyOnPath, runClient, versionOf } from './support/run-client.js';
import { stopLockstep } from './support/stop-lockstep.js';

const PYTHON = 'python3';
const boto3Version = versionOf(PYTHON, ['-c', 'import boto3; print(boto3.__version__)']);
const AWS_V1 = everyOnPath('aws').find((bin) => versionOf(bin)?.startsWith('aws-cli/1.'));
const AWS_V2 = ['/usr/bin/aws', ...everyOnPath('aws')].find((bin) =>
  versionOf(bin)?.startsWith('aws-cli/2.'),
);
const skipReason =
  boto3Version === undefined
    ? `\`${PYTHON} -c "import boto3"\` failed; pip install boto3`
    : OPENSSL_MISSING;

/** What every scenario script starts with: clients for one server, and a failure recorder. */
const PRELUDE = String.raw`
import base64, datetime, hashlib, io, json, os, sys, urllib.request
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

URL = os.environ['LOCKSTEP_URL']
VERIFY = os.environ.get('LOCKSTEP_CA') or None
CONFIG = Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 1},
                signature_version='s3v4')

def client(service, **keys):
    return boto3.client(service, endpoint_url=URL, region_name='us-east-1', verify=VERIFY,
                        config=CONFIG if service == 's3' else None, **keys)

s3 = client('s3')
out = {}

def user_client(name, actions):
    iam = client('iam')
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName='s3', PolicyDocument=json.dumps({
        'Version': '2012-10-17',
        'Statement': [{'Effect': 'Allow', 'Action': actions, 'Resource': '*'}]}))
    key = iam.create_access_key(UserName=name)['AccessKey']
    return client('s3', aws_access_key_id=key['AccessKeyId'],
                  aws_secret_access_key=key['SecretAccessKey'])

def failure(call):
    try:
        call()
        return None
    except ClientError as error:
        headers = error.response['ResponseMetadata'].get('HTTPHeaders', {})
        return {
            'code': error.response['Error'].get('Code'),
            'status': error.response['ResponseMetadata']['HTTPStatusCode'],
            'message': error.response['Error'].get('Message', ''),
            'deleteMarker': headers.get('x-amz-delete-marker'),
        }
`;

/** Basic object calls, encryption under the managed and a customer key, listing. */
const OBJECTS_SCRIPT = String.raw`
s3.create_bucket(Bucket='objects')
body = b'the first object body\n' * 100
put = s3.put_object(Bucket='objects', Key='docs/read me.txt', Body=body,
                    ContentType='text/plain', Metadata={'owner': 'team-a'})
got = s3.get_object(Bucket='objects', Key='docs/read me.txt')
head = s3.head_object(Bucket='objects', Key='docs/read me.txt')
kms = client('kms')
out['basic'] = {
    'putETag': put['ETag'], 'md5': hashlib.md5(body).hexdigest(),
    'sse': put.get('ServerSideEncryption'), 'kmsKey': put.get('SSEKMSKeyId'),
    'managedKeyArn': kms.describe_key(KeyId='alias/aws/s3')['KeyMetadata']['Arn'],
    'sameBody': got['Body'].read() == body, 'contentType': got['ContentType'],
    'metadata': got['Metadata'], 'headLength': head['ContentLength'], 'headETag': head['ETag'],
    'headSse': head.get('ServerSideEncryption'),
}
s3.delete_object(Bucket='objects', Key='docs/read me.txt')
out['basic']['afterDelete'] = failure(lambda: s3.get_object(Bucket='objects', Key='docs/read me.txt'))
out['basic']['headAfterDelete'] = failure(lambda: s3.head_object(Bucket='objects', Key='docs/read me.txt'))
wrong_md5 = base64.b64encode(hashlib.md5(b'something else').digest()).decode()
out['basic']['badMd5'] = failure(lambda: s3.put_object(Bucket='objects', Key='md5', Body=b'abc', ContentMD5=wrong_md5))
out['basic']['badMd5Stored'] = failure(lambda: s3.head_object(Bucket='objects', Key='md5'))
out['basic']['noBucket'] = failure(lambda: s3.get_object(Bucket='no-such-bucket', Key='k'))
out['basic']['badBucketName'] = failure(lambda: s3.create_bucket(Bucket='Not_Valid'))
out['basic']['twice'] = failure(lambda: s3.create_bucket(Bucket='objects'))

key = kms.create_key(Description='s3 objects test')['KeyMetadata']
put = s3.put_object(Bucket='objects', Key='customer', Body=b'under my own key',
                    ServerSideEncryption='aws:kms', SSEKMSKeyId=key['KeyId'])
out['customerKey'] = {'arn': key['Arn'], 'reported': put.get('SSEKMSKeyId'),
                      'headReported': s3.head_object(Bucket='objects', Key='customer').get('SSEKMSKeyId')}
kms.disable_key(KeyId=key['KeyId'])
out['customerKey']['whileDisabled'] = failure(lambda: s3.get_object(Bucket='objects', Key='customer'))
kms.enable_key(KeyId=key['KeyId'])
out['customerKey']['afterEnable'] = s3.get_object(Bucket='objects', Key='customer')['Body'].read().decode()
s3.put_object(Bucket='objects', Key='managed', Body=b'under aws/s3')
no_kms = user_client('reader-without-kms', ['s3:GetObject', 's3:PutObject'])
out['customerKey']['readerWithoutKms'] = failure(lambda: no_kms.get_object(Bucket='objects', Key='customer'))
out['customerKey']['readerManaged'] = no_kms.get_object(Bucket='objects', Key='managed')['Body'].read().decode()
out['customerKey']['writerWithoutKms'] = failure(lambda: no_kms.put_object(
    Bucket='objects', Key='k2', Body=b'x', ServerSideEncryption='aws:kms', SSEKMSKeyId=key['KeyId']))
out['customerKey']['unknownKey'] = failure(lambda: s3.put_object(
    Bucket='objects', Key='k', Body=b'x', ServerSideEncryption='aws:kms', SSEKMSKeyId='alias/none'))

s3.create_bucket(Bucket='listing')
keys = ['a/1', 'a/2', 'a/b/3', 'b/1', 'c', 'd', 'e/f', 'sp ace+plus']
for key_name in keys:
    s3.put_object(Bucket='listing', Key=key_name, Body=key_name.encode())
pages = s3.get_paginator('list_objects_v2').paginate(Bucket='listing', PaginationConfig={'PageSize': 3})
by_delimiter = s3.get_paginator('list_objects_v2').paginate(
    Bucket='listing', Delimiter='/', PaginationConfig={'PageSize': 2})
under_a = s3.list_objects_v2(Bucket='listing', Prefix='a/', Delimiter='/')
out['list'] = {
    'pages': [[o['Key'] for o in page.get('Contents', [])] for page in pages],
    'delimited': [{'keys': [o['Key'] for o in page.get('Contents', [])],
                   'prefixes': [p['Prefix'] for p in page.get('CommonPrefixes', [])],
                   'keyCount': page['KeyCount']} for page in by_delimiter],
    'underA': {'keys': [o['Key'] for o in under_a.get('Contents', [])],
               'prefixes': [p['Prefix'] for p in under_a.get('CommonPrefixes', [])]},
    'startAfter': [o['Key'] for o in s3.list_objects_v2(Bucket='listing', StartAfter='c')['Contents']],
    'v1': [o['Key'] for o in s3.list_objects(Bucket='listing', Prefix='a/')['Contents']],
    'sizes': {o['Key']: o['Size'] for o in s3.list_objects_v2(Bucket='listing')['Contents']},
}
json.dump(out, sys.stdout)
`;

/** Versioning: overwrite, delete marker, reading by version id, listing versions. */
const VERSIONING_SCRIPT = String.raw`
s3.create_bucket(Bucket='versioned')
out['before'] = s3.get_bucket_versioning(Bucket='versioned').get('Status')
s3.put_bucket_versioning(Bucket='versioned', VersioningConfiguration={'Status': 'Enabled'})
first = s3.put_object(Bucket='versioned', Key='report.txt', Body=b'version one')['VersionId']
second = s3.put_object(Bucket='versioned', Key='report.txt', Body=b'version two')['VersionId']
out['status'] = s3.get_bucket_versioning(Bucket='versioned').get('Status')
out['ids'] = [first, second]
out['latest'] = s3.get_object(Bucket='versioned', Key='report.txt')['Body'].read().decode()
out['first'] = s3.get_object(Bucket='versioned', Key='report.txt', VersionId=first)['Body'].read().decode()
deleted = s3.delete_object(Bucket='versioned', Key='report.txt')
out['marker'] = {'deleteMarker': deleted.get('DeleteMarker'), 'versionId': deleted.get('VersionId')}
out['getAfterDelete'] = failure(lambda: s3.get_object(Bucket='versioned', Key='report.txt'))
out['getMarker'] = failure(lambda: s3.get_object(Bucket='versioned', Key='report.txt', VersionId=deleted['VersionId']))
out['stillFirst'] = s3.get_object(Bucket='versioned', Key='report.txt', VersionId=first)['Body'].read().decode()
listed = s3.list_object_versions(Bucket='versioned')
out['versions'] = [(v['VersionId'], v['IsLatest'], v['Size']) for v in listed.get('Versions', [])]
out['markers'] = [(m['VersionId'], m['IsLatest']) for m in listed.get('DeleteMarkers', [])]
out['listedObjects'] = s3.list_objects_v2(Bucket='versioned')['KeyCount']
paged = s3.get_paginator('list_object_versions').paginate(Bucket='versioned', PaginationConfig={'PageSize': 1})
out['pagedVersions'] = [[v['VersionId'] for v in p.get('Versions', []) + p.get('DeleteMarkers', [])] for p in paged]
s3.delete_object(Bucket='versioned', Key='report.txt', VersionId=deleted['VersionId'])
out['afterMarkerRemoved'] = s3.get_object(Bucket='versioned', Key='report.txt')['Body'].read().decode()
out['noSuchVersion'] = failure(lambda: s3.get_object(Bucket='versioned', Key='report.txt', VersionId='x' * 32))
out['notEmpty'] = failure(lambda: s3.delete_bucket(Bucket='versioned'))
for version in [first, second]:
    s3.delete_object(Bucket='versioned', Key='report.txt', VersionId=version)
s3.delete_bucket(Bucket='versioned')
out['bucketGone'] = failure(lambda: s3.head_bucket(Bucket='versioned'))
json.dump(out, sys.stdout)
`;

/** Object lock: default retention, GOVERNANCE and its bypass, COMPLIANCE, legal hold, IAM. */
const LOCK_SCRIPT = String.raw`
now = datetime.datetime.now(datetime.timezone.utc)
s3.create_bucket(Bucket='locked', ObjectLockEnabledForBucket=True)
out['versioning'] = s3.get_bucket_versioning(Bucket='locked').get('Status')
out['suspend'] = failure(lambda: s3.put_bucket_versioning(
    Bucket='locked', VersioningConfiguration={'Status': 'Suspended'}))
s3.put_object_lock_configuration(Bucket='locked', ObjectLockConfiguration={
    'ObjectLockEnabled': 'Enabled',
    'Rule': {'DefaultRetention': {'Mode': 'GOVERNANCE', 'Days': 1}}})
out['configuration'] = s3.get_object_lock_configuration(Bucket='locked')['ObjectLockConfiguration']
s3.create_bucket(Bucket='unlocked')
out['noConfiguration'] = failure(lambda: s3.get_object_lock_configuration(Bucket='unlocked'))
out['retentionOnUnlocked'] = failure(lambda: s3.put_object(
    Bucket='unlocked', Key='k', Body=b'x', ObjectLockMode='GOVERNANCE',
    ObjectLockRetainUntilDate=now + datetime.timedelta(days=1)))

governed = s3.put_object(Bucket='locked', Key='governed', Body=b'kept a day')['VersionId']
head = s3.head_object(Bucket='locked', Key='governed')
out['defaultRetention'] = {'mode': head.get('ObjectLockMode'),
                           'untilHours': (head['ObjectLockRetainUntilDate'] - now).total_seconds() / 3600}
out['deleteLocked'] = failure(lambda: s3.delete_object(Bucket='locked', Key='governed', VersionId=governed))
marker = s3.delete_object(Bucket='locked', Key='governed')
out['plainDeleteMakesMarker'] = marker.get('DeleteMarker')
out['lockedStillThere'] = s3.get_object(Bucket='locked', Key='governed', VersionId=governed)['Body'].read().decode()
out['shortenGovernance'] = failure(lambda: s3.put_object_retention(
    Bucket='locked', Key='governed', VersionId=governed,
    Retention={'Mode': 'GOVERNANCE', 'RetainUntilDate': now + datetime.timedelta(hours=1)}))

deleter = user_client('deleter', ['s3:DeleteObjectVersion', 's3:GetObject'])
bypasser = user_client('bypasser', ['s3:DeleteObjectVersion', 's3:BypassGovernanceRetention'])
out['bypassWithoutPermission'] = failure(lambda: deleter.delete_object(
    Bucket='locked', Key='governed', VersionId=governed, BypassGovernanceRetention=True))
out['permissionWithoutHeader'] = failure(lambda: bypasser.delete_object(
    Bucket='locked', Key='governed', VersionId=governed))
out['bypassed'] = bypasser.delete_object(Bucket='locked', Key='governed', VersionId=governed,
                                         BypassGovernanceRetention=True)['ResponseMetadata']['HTTPStatusCode']
out['bypassedGone'] = failure(lambda: s3.get_object(Bucket='locked', Key='governed', VersionId=governed))

until = now + datetime.timedelta(days=2)
compliant = s3.put_object(Bucket='locked', Key='compliant', Body=b'kept two days',
                          ObjectLockMode='COMPLIANCE', ObjectLockRetainUntilDate=until)['VersionId']
retention = s3.get_object_retention(Bucket='locked', Key='compliant', VersionId=compliant)['Retention']
out['compliance'] = {
    'mode': retention['Mode'],
    'untilMatches': abs((retention['RetainUntilDate'] - until).total_seconds()) < 1,
    'shorten': failure(lambda: s3.put_object_retention(
        Bucket='locked', Key='compliant', VersionId=compliant, BypassGovernanceRetention=True,
        Retention={'Mode': 'COMPLIANCE', 'RetainUntilDate': until - datetime.timedelta(days=1)})),
    'toGovernance': failure(lambda: s3.put_object_retention(
        Bucket='locked', Key='compliant', VersionId=compliant, BypassGovernanceRetention=True,
        Retention={'Mode': 'GOVERNANCE', 'RetainUntilDate': until + datetime.timedelta(days=1)})),
    'remove': failure(lambda: s3.put_object_retention(
        Bucket='locked', Key='compliant', VersionId=compliant, BypassGovernanceRetention=True,
        Retention={})),
    'extend': s3.put_object_retention(
        Bucket='locked', Key='compliant', VersionId=compliant,
        Retention={'Mode': 'COMPLIANCE', 'RetainUntilDate': until + datetime.timedelta(days=1)}
    )['ResponseMetadata']['HTTPStatusCode'],
    'delete': failure(lambda: s3.delete_object(
        Bucket='locked', Key='compliant', VersionId=compliant, BypassGovernanceRetention=True)),
    'past': failure(lambda: s3.put_object_retention(
        Bucket='locked', Key='compliant', VersionId=compliant,
        Retention={'Mode': 'COMPLIANCE', 'RetainUntilDate': now - datetime.timedelta(days=1)})),
}

s3.put_object_lock_configuration(Bucket='locked', ObjectLockConfiguration={'ObjectLockEnabled': 'Enabled'})
held = s3.put_object(Bucket='locked', Key='held', Body=b'on hold', ObjectLockLegalHoldStatus='ON')['VersionId']
out['legalHold'] = {
    'status': s3.get_object_legal_hold(Bucket='locked', Key='held', VersionId=held)['LegalHold']['Status'],
    'retention': failure(lambda: s3.get_object_retention(Bucket='locked', Key='held', VersionId=held)),
    'delete': failure(lambda: s3.delete_object(
        Bucket='locked', Key='held', VersionId=held, BypassGovernanceRetention=True)),
}
s3.put_object_legal_hold(Bucket='locked', Key='held', VersionId=held, LegalHold={'Status': 'OFF'})
out['legalHold']['deletedWhenOff'] = s3.delete_object(
    Bucket='locked', Key='held', VersionId=held)['ResponseMetadata']['HTTPStatusCode']

reader = user_client('lister', ['s3:ListBucket'])
out['iam'] = {
    'listed': reader.list_objects_v2(Bucket='locked')['KeyCount'],
    'get': failure(lambda: reader.get_object(Bucket='locked', Key='compliant')),
    'put': failure(lambda: reader.put_object(Bucket='locked', Key='new', Body=b'x')),
}

url = s3.generate_presigned_url('get_object', Params={'Bucket': 'locked', 'Key': 'compliant'}, ExpiresIn=300)
out['presigned'] = urllib.request.urlopen(url).read().decode()
tampered = url.replace('compliant', 'governed')
try:
    urllib.request.urlopen(tampered)
    out['presignedTampered'] = None
except urllib.error.HTTPError as error:
    out['presignedTampered'] = {'status': error.code, 'body': error.read().decode()}

trail = client('cloudtrail').get_paginator('lookup_events').paginate(
    LookupAttributes=[{'AttributeKey': 'EventSource', 'AttributeValue': 's3.amazonaws.com'}])
out['audit'] = [json.loads(event['CloudTrailEvent']) for page in trail for event in page['Events']]
json.dump(out, sys.stdout)
`;

/** Over TLS: a multi-MB put_object that boto3 streams as aws-chunked, recorded by a hook. */
const CHUNKED_SCRIPT = String.raw`
sent = []
s3.meta.events.register('before-send.s3.PutObject',
    lambda request, **kwargs: sent.append({k.lower(): v for k, v in request.headers.items()}))
s3.create_bucket(Bucket='chunked')
data = os.urandom(6 * 1024 * 1024 + 123)
put = s3.put_object(Bucket='chunked', Key='big.bin', Body=io.BytesIO(data))
got = s3.get_object(Bucket='chunked', Key='big.bin')['Body'].read()
ranged = s3.get_object(Bucket='chunked', Key='big.bin', Range='bytes=5000000-5000099')
canary = os.environ['CANARY'].encode() * 4096
s3.put_object(Bucket='chunked', Key='canary.txt', Body=canary)
from boto3.s3.transfer import TransferConfig
big = os.urandom(12 * 1024 * 1024 + 5)
part_md5s = b''.join(hashlib.md5(big[at:at + 5 * 1024 * 1024]).digest()
                     for at in range(0, len(big), 5 * 1024 * 1024))
s3.upload_fileobj(io.BytesIO(big), 'chunked', 'multipart.bin',
                  Config=TransferConfig(multipart_threshold=5 * 1024 * 1024,
                                        multipart_chunksize=5 * 1024 * 1024))
upload = s3.create_multipart_upload(Bucket='chunked', Key='abandoned')['UploadId']
for number in (1, 2):
    s3.upload_part(Bucket='chunked', Key='abandoned', UploadId=upload, PartNumber=number, Body=b'tiny')
listed = s3.list_parts(Bucket='chunked', Key='abandoned', UploadId=upload)['Parts']
multipart = {
    'etag': s3.head_object(Bucket='chunked', Key='multipart.bin')['ETag'],
    'expectedETag': '"%s-3"' % hashlib.md5(part_md5s).hexdigest(),
    'same': s3.get_object(Bucket='chunked', Key='multipart.bin')['Body'].read() == big,
    'listedParts': [(p['PartNumber'], p['Size']) for p in listed],
    'tooSmall': failure(lambda: s3.complete_multipart_upload(
        Bucket='chunked', Key='abandoned', UploadId=upload,
        MultipartUpload={'Parts': [{'PartNumber': p['PartNumber'], 'ETag': p['ETag']} for p in listed]})),
    'wrongETag': failure(lambda: s3.complete_multipart_upload(
        Bucket='chunked', Key='abandoned', UploadId=upload,
        MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': '"0"'}]})),
    'aborted': s3.abort_multipart_upload(Bucket='chunked', Key='abandoned', UploadId=upload)['ResponseMetadata']['HTTPStatusCode'],
    'afterAbort': failure(lambda: s3.list_parts(Bucket='chunked', Key='abandoned', UploadId=upload)),
}
out = {
    'multipart': multipart,
    'headers': [{name: h.get(name).decode() if isinstance(h.get(name), bytes) else h.get(name)
                 for name in ('x-amz-content-sha256', 'content-encoding', 'x-amz-trailer')} for h in sent],
    'etag': put['ETag'], 'md5': hashlib.md5(data).hexdigest(), 'same': got == data,
    'range': ranged['ContentRange'], 'rangeSame': ranged['Body'].read() == data[5000000:5000100],
    'canaryBack': s3.get_object(Bucket='chunked', Key='canary.txt')['Body'].read() == canary,
}
json.dump(out, sys.stdout)
`;

/** After a byte of the stored object was flipped on disk. */
const TAMPERED_SCRIPT = String.raw`
out['get'] = failure(lambda: s3.get_object(Bucket='tamper', Key='artifact.zip'))
out['head'] = s3.head_object(Bucket='tamper', Key='artifact.zip')['ContentLength']
json.dump(out, sys.stdout)
`;

interface Failure {
  code: string;
  status: number;
  message: string;
  deleteMarker?: string;
}

async function runPython<T>(
  server: LockstepProcess,
  script: string,
  extra: NodeJS.ProcessEnv = {},
) {
  const env = clientEnv(path.join(server.dataDir, 'credentials'), {
    LOCKSTEP_URL: server.url,
    ...extra,
  });
  const result = await runClient(PYTHON, ['-c', PRELUDE + script], env);
  if (result.exitCode !== 0) {
    throw new Error(`the boto3 script exited ${result.exitCode}:\n${result.stderr}`);
  }
  return JSON.parse(result.stdout) as T;
}

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

if (skipReason !== undefined) {
  console.warn(`s3-objects.test.ts: skipped: ${skipReason}`);
  describe.skip('the S3 REST API with boto3 and the AWS CLI', () => {
    it('needs python3 with boto3 and openssl', () => {});
  });
} else {
  describe(`the S3 REST API with boto3 ${boto3Version} and the AWS CLI`, () => {
    let plain: LockstepProcess;
    let secure: LockstepProcess;
    let certificates: TestCertificates;
    let scratch: string;

    beforeAll(async () => {
      scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-s3-'));
      certificates = await makeTestCertificates(scratch);
      const tls = [
        '--tls-cert',
        certificates.server.certFile,
        '--tls-key',
        certificates.server.keyFile,
      ];
      [plain, secure] = await Promise.all([
        startLockstep({ pipelineRoles: [] }),
        startLockstep({ pipelineRoles: [], extraArgs: tls }),
      ]);
    });
    afterAll(async () => {
      await stopLockstep(plain);
      await stopLockstep(secure);
      await rm(scratch, { recursive: true, force: true });
    });

    describe('objects, encryption and listing (boto3 over HTTP)', () => {
      let report: {
        basic: Record<string, unknown> & { afterDelete: Failure; badMd5: Failure };
        customerKey: Record<string, unknown>;
        list: Record<string, unknown>;
      };
      beforeAll(async () => {
        report = await runPython(plain, OBJECTS_SCRIPT);
      });

      it('put, get, head and delete an object; the ETag is the MD5 of its bytes', () => {
        const { basic } = report;
        expect(basic.putETag).toBe(`"${basic.md5 as string}"`);
        expect(basic.headETag).toBe(basic.putETag);
        expect(basic).toMatchObject({
          sameBody: true,
          contentType: 'text/plain',
          metadata: { owner: 'team-a' },
          headLength: 2200,
        });
        expect(basic.afterDelete).toMatchObject({ code: 'NoSuchKey', status: 404 });
        expect(basic.headAfterDelete).toMatchObject({ status: 404 });
        expect(basic.noBucket).toMatchObject({ code: 'NoSuchBucket', status: 404 });
        expect(basic.badBucketName).toMatchObject({ code: 'InvalidBucketName', status: 400 });
        expect(basic.twice).toMatchObject({ code: 'BucketAlreadyOwnedByYou', status: 409 });
      });

      it('refuses a Content-MD5 that does not match the body, storing nothing', () => {
        expect(report.basic.badMd5).toMatchObject({ code: 'BadDigest', status: 400 });
        expect(report.basic.badMd5Stored).toMatchObject({ status: 404 });
      });

      it('encrypts under the managed aws/s3 key by default and says so (SSE-KMS)', () => {
        expect(report.basic.sse).toBe('aws:kms');
        expect(report.basic.headSse).toBe('aws:kms');
        expect(report.basic.kmsKey).toBe(report.basic.managedKeyArn);
      });

      it('honours a customer key: reported back, and unreadable while the key is disabled', () => {
        const { customerKey } = report;
        expect(customerKey.reported).toBe(customerKey.arn);
        expect(customerKey.headReported).toBe(customerKey.arn);
        expect(customerKey.whileDisabled).toMatchObject({
          code: 'KMS.DisabledException',
          status: 400,
        });
        expect(customerKey.afterEnable).toBe('under my own key');
        expect(customerKey.unknownKey).toMatchObject({
          code: 'KMS.NotFoundException',
          status: 400,
        });
      });

      it("a customer key is used on the caller's behalf: it needs kms:Decrypt and kms:GenerateDataKey", () => {
        const { customerKey } = report;
        expect(customerKey.readerWithoutKms).toMatchObject({
          code: 'AccessDenied',
          status: 403,
          message: expect.stringContaining('kms:Decrypt') as string,
        });
        expect(customerKey.readerManaged).toBe('under aws/s3');
        expect(customerKey.writerWithoutKms).toMatchObject({
          code: 'AccessDenied',
          message: expect.stringContaining('kms:GenerateDataKey') as string,
        });
      });

      it('ListObjectsV2 pages with continuation tokens, rolls up by delimiter, honours StartAfter', () => {
        expect(report.list).toEqual({
          pages: [
            ['a/1', 'a/2', 'a/b/3'],
            ['b/1', 'c', 'd'],
            ['e/f', 'sp ace+plus'],
          ],
          delimited: [
            { keys: [], prefixes: ['a/', 'b/'], keyCount: 2 },
            { keys: ['c', 'd'], prefixes: [], keyCount: 2 },
            { keys: ['sp ace+plus'], prefixes: ['e/'], keyCount: 2 },
          ],
          underA: { keys: ['a/1', 'a/2'], prefixes: ['a/b/'] },
          startAfter: ['d', 'e/f', 'sp ace+plus'],
          v1: ['a/1', 'a/2', 'a/b/3'],
          sizes: {
            'a/1': 3,
            'a/2': 3,
            'a/b/3': 5,
            'b/1': 3,
            c: 1,
            d: 1,
            'e/f': 3,
            'sp ace+plus': 11,
          },
        });
      });
    });

    describe('versioning (boto3)', () => {
      let report: Record<string, unknown> & { ids: string[]; marker: { versionId: string } };
      beforeAll(async () => {
        report = await runPython(plain, VERSIONING_SCRIPT);
      });

      it('an overwrite makes a new version; each stays readable by its version id', () => {
        expect(report.before).toBeNull();
        expect(report.status).toBe('Enabled');
        expect(new Set(report.ids).size).toBe(2);
        expect(report.latest).toBe('version two');
        expect(report.first).toBe('version one');
      });

      it('a delete without a version id makes a delete marker that hides the key', () => {
        expect(report.marker).toMatchObject({ deleteMarker: true });
        expect(report.getAfterDelete).toMatchObject({
          code: 'NoSuchKey',
          status: 404,
          deleteMarker: 'true',
        });
        expect(report.getMarker).toMatchObject({ code: 'MethodNotAllowed', status: 405 });
        expect(report.stillFirst).toBe('version one');
        expect(report.listedObjects).toBe(0);
        const [first, second] = report.ids;
        expect(report.versions).toEqual([
          [second, false, 11],
          [first, false, 11],
        ]);
        expect(report.markers).toEqual([[report.marker.versionId, true]]);
        expect(report.pagedVersions).toEqual([[report.marker.versionId], [second], [first]]);
      });

      it('removing the marker brings the key back; a bucket with versions cannot be deleted', () => {
        expect(report.afterMarkerRemoved).toBe('version two');
        expect(report.noSuchVersion).toMatchObject({ code: 'NoSuchVersion', status: 404 });
        expect(report.notEmpty).toMatchObject({ code: 'BucketNotEmpty', status: 409 });
        expect(report.bucketGone).toMatchObject({ status: 404 });
      });
    });

    describe('object lock, IAM, presigned URLs and the audit trail (boto3)', () => {
      let report: Record<string, unknown> & {
        compliance: Record<string, unknown>;
        defaultRetention: { mode: string; untilHours: number };
        legalHold: Record<string, unknown>;
        iam: Record<string, unknown>;
        audit: {
          eventName: string;
          requestParameters: Record<string, unknown> | null;
          errorCode?: string;
        }[];
      };
      const denied = {
        code: 'AccessDenied',
        status: 403,
        message: 'Access Denied because object protected by object lock.',
      };
      beforeAll(async () => {
        report = await runPython(plain, LOCK_SCRIPT);
      });

      it('a bucket made with object lock is versioned for good and keeps its configuration', () => {
        expect(report.versioning).toBe('Enabled');
        expect(report.suspend).toMatchObject({ code: 'InvalidBucketState', status: 409 });
        expect(report.configuration).toEqual({
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } },
        });
        expect(report.noConfiguration).toMatchObject({
          code: 'ObjectLockConfigurationNotFoundError',
          status: 404,
        });
        expect(report.retentionOnUnlocked).toMatchObject({ code: 'InvalidRequest', status: 400 });
      });

      it('GOVERNANCE: the default retention applies; only header plus permission lifts it', () => {
        const { defaultRetention } = report;
        expect(defaultRetention.mode).toBe('GOVERNANCE');
        expect(defaultRetention.untilHours).toBeGreaterThan(23.9);
        expect(defaultRetention.untilHours).toBeLessThan(24.1);
        expect(report.deleteLocked).toMatchObject(denied);
        expect(report.plainDeleteMakesMarker).toBe(true);
        expect(report.lockedStillThere).toBe('kept a day');
        expect(report.shortenGovernance).toMatchObject(denied);
        expect(report.bypassWithoutPermission).toMatchObject({
          code: 'AccessDenied',
          status: 403,
          message: expect.stringContaining('s3:BypassGovernanceRetention') as string,
        });
        expect(report.permissionWithoutHeader).toMatchObject(denied);
        expect(report.bypassed).toBe(204);
        expect(report.bypassedGone).toMatchObject({ code: 'NoSuchVersion', status: 404 });
      });

      it('COMPLIANCE cannot be shortened, weakened, removed or deleted by anyone; it can be extended', () => {
        const { compliance } = report;
        expect(compliance).toMatchObject({ mode: 'COMPLIANCE', untilMatches: true, extend: 200 });
        for (const attempt of ['shorten', 'toGovernance', 'remove', 'delete']) {
          expect(compliance[attempt], attempt).toMatchObject(denied);
        }
        expect(compliance.past).toMatchObject({ code: 'InvalidArgument', status: 400 });
      });

      it('a legal hold blocks deletion, even with the bypass, until it is turned off', () => {
        expect(report.legalHold).toMatchObject({
          status: 'ON',
          retention: { code: 'NoSuchObjectLockConfiguration', status: 404 },
          delete: denied,
          deletedWhenOff: 204,
        });
      });

      it('a caller without s3:GetObject is refused, naming the action and the object', () => {
        expect(report.iam.listed).toBeGreaterThan(0);
        expect(report.iam.get).toMatchObject({
          code: 'AccessDenied',
          status: 403,
          message: expect.stringMatching(
            /s3:GetObject on resource: arn:aws:s3:::locked\/compliant/,
          ) as string,
        });
        expect(report.iam.put).toMatchObject({ code: 'AccessDenied', status: 403 });
      });

      it('a presigned URL (SigV4 in the query) reads the object; changed, it is refused', () => {
        expect(report.presigned).toBe('kept two days');
        const tampered = report.presignedTampered as { status: number; body: string };
        expect(tampered.status).toBe(403);
        expect(tampered.body).toContain('<Code>SignatureDoesNotMatch</Code>');
      });

      it('every call is in the audit trail as an s3.amazonaws.com event, without object bytes', () => {
        const names = new Set(report.audit.map((event) => event.eventName));
        for (const name of [
          'PutObject',
          'GetObject',
          'DeleteObject',
          'PutObjectRetention',
          'CreateBucket',
        ]) {
          expect(names, name).toContain(name);
        }
        const put = report.audit.find(
          (event) =>
            event.eventName === 'PutObject' && event.requestParameters?.key === 'compliant',
        );
        expect(put?.requestParameters).toMatchObject({ bucketName: 'locked', key: 'compliant' });
        const refused = report.audit.find((event) => event.errorCode === 'AccessDenied');
        expect(refused).toBeDefined();
        expect(JSON.stringify(report.audit)).not.toContain('kept two days');
      });
    });

    describe('aws-chunked uploads over TLS, and what is on disk', () => {
      const canary = `lockstep-plaintext-canary-${randomBytes(8).toString('hex')}\n`;
      let report: Record<string, unknown> & {
        headers: Record<string, string>[];
        multipart: Record<string, unknown>;
      };
      beforeAll(async () => {
        report = await runPython(secure, CHUNKED_SCRIPT, {
          LOCKSTEP_CA: certificates.caFile,
          CANARY: canary,
        });
      });

      it('boto3 streams a multi-MB put_object as aws-chunked with a CRC32 trailer; it round-trips', () => {
        expect(report.headers).toEqual([
          {
            'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
            'content-encoding': 'aws-chunked',
            'x-amz-trailer': 'x-amz-checksum-crc32',
          },
          expect.objectContaining({ 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' }),
        ]);
        expect(report.etag).toBe(`"${report.md5 as string}"`);
        expect(report).toMatchObject({ same: true, rangeSame: true, canaryBack: true });
        expect(report.range).toBe('bytes 5000000-5000099/6291579');
      });

      it("multipart uploads (upload_fileobj in 5 MiB parts) make one object with S3's ETag", () => {
        expect(report.multipart).toEqual({
          etag: report.multipart.expectedETag,
          expectedETag: expect.stringMatching(/^"[0-9a-f]{32}-3"$/) as string,
          same: true,
          listedParts: [
            [1, 4],
            [2, 4],
          ],
          tooSmall: expect.objectContaining({ code: 'EntityTooSmall', status: 400 }) as object,
          wrongETag: expect.objectContaining({ code: 'InvalidPart', status: 400 }) as object,
          aborted: 204,
          afterAbort: expect.objectContaining({ code: 'NoSuchUpload', status: 404 }) as object,
        });
      });

      it('no file in the data directory holds an object plaintext; objects are 0600 in 0700', async () => {
        const files = await filesUnder(secure.dataDir);
        const needle = Buffer.from(canary.trim());
        const holding: string[] = [];
        for (const file of files) {
          if ((await readFile(file)).includes(needle)) holding.push(file);
        }
        expect(holding).toEqual([]);
        const objectFiles = files.filter((file) => file.includes(`${path.sep}objects${path.sep}`));
        // big.bin, canary.txt and multipart.bin; the parts and the aborted upload left none.
        expect(objectFiles.length).toBe(3);
        for (const file of objectFiles) {
          expect((await stat(file)).mode & 0o777).toBe(0o600);
          expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
        }
        // grep, as an operator would check it, agrees.
        const grep = await promisify(execFile)('grep', [
          '-rc',
          canary.trim(),
          secure.dataDir,
        ]).catch((error: { code?: number; stdout?: string }) => error);
        expect((grep as { code?: number }).code).toBe(1);
      });
    });

    describe('integrity: one byte flipped on disk', () => {
      let report: { get: Failure; head: number };
      beforeAll(async () => {
        const put = String.raw`
s3.create_bucket(Bucket='tamper')
s3.put_object(Bucket='tamper', Key='artifact.zip', Body=b'PK\x03\x04' + b'artifact bytes ' * 200)
out['ok'] = len(s3.get_object(Bucket='tamper', Key='artifact.zip')['Body'].read())
json.dump(out, sys.stdout)
`;
        const before = await runPython<{ ok: number }>(plain, put);
        expect(before.ok).toBe(3004);
        const [file] = await filesUnder(path.join(plain.dataDir, 'objects', 'tamper'));
        if (file === undefined) throw new Error('the object has no file on disk');
        const handle = await open(file, 'r+');
        const size = (await handle.stat()).size;
        const byte = Buffer.alloc(1);
        const at = size - 100; // inside the ciphertext, before the tag
        await handle.read(byte, 0, 1, at);
        await handle.write(Buffer.of((byte[0] ?? 0) ^ 0x01), 0, 1, at);
        await handle.close();
        report = await runPython(plain, TAMPERED_SCRIPT);
      });

      it('GetObject fails with a 500 InternalError naming the object, and HEAD still answers', () => {
        expect(report.get).toMatchObject({
          code: 'InternalError',
          status: 500,
          message: expect.stringMatching(
            /s3:\/\/tamper\/artifact\.zip .*failed its integrity check/,
          ) as string,
        });
        expect(report.head).toBe(3004);
      });
    });

    describe.skipIf(AWS_V1 === undefined)('the AWS CLI v1: aws s3 and aws s3api', () => {
      it('cp up and down, ls, and s3api get-object-retention', async () => {
        const env = clientEnv(path.join(plain.dataDir, 'credentials'));
        const common = ['--endpoint-url', plain.url, '--region', 'us-east-1'];
        const aws = async (...args: string[]) => {
          const result = await runClient(AWS_V1 ?? 'aws', [...args, ...common], env);
          if (result.exitCode !== 0) throw new Error(`aws ${args.join(' ')}: ${result.stderr}`);
          return result.stdout;
        };
        const local = path.join(scratch, 'upload.bin');
        // Above the CLI's 8 MB threshold: uploaded in parts, downloaded by ranges.
        const content = randomBytes(9 * 1024 * 1024);
        await writeFile(local, content);
        await aws('s3', 'mb', 's3://cli-objects');
        await aws('s3', 'cp', local, 's3://cli-objects/dir/upload.bin');
        expect(await aws('s3', 'ls', 's3://cli-objects', '--recursive')).toMatch(
          /9437184 dir\/upload\.bin/,
        );
        await aws('s3', 'cp', 's3://cli-objects/dir/upload.bin', path.join(scratch, 'back.bin'));
        expect((await readFile(path.join(scratch, 'back.bin'))).equals(content)).toBe(true);
        const head = JSON.parse(
          await aws('s3api', 'head-object', '--bucket', 'cli-objects', '--key', 'dir/upload.bin'),
        ) as { ServerSideEncryption: string; ContentLength: number; ETag: string };
        expect(head).toMatchObject({ ServerSideEncryption: 'aws:kms', ContentLength: 9437184 });
        expect(head.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
        const missing = await runClient(
          AWS_V1 ?? 'aws',
          [
            's3api',
            'get-object-retention',
            '--bucket',
            'cli-objects',
            '--key',
            'dir/upload.bin',
            ...common,
          ],
          env,
        );
        expect(missing.exitCode).not.toBe(0);
        expect(missing.stderr).toContain('InvalidRequest');
        expect(missing.stderr).toContain('Bucket is missing Object Lock Configuration');
      });
    });

    describe.skipIf(AWS_V2 === undefined)('the AWS CLI v2', () => {
      it('cp and ls against the same server', async () => {
        const env = clientEnv(path.join(plain.dataDir, 'credentials'));
        const common = ['--endpoint-url', plain.url, '--region', 'us-east-1'];
        const local = path.join(scratch, 'v2.txt');
        await writeFile(local, 'from the AWS CLI v2\n');
        const cp = await runClient(
          AWS_V2 ?? 'aws',
          ['s3', 'cp', local, 's3://objects/v2.txt', ...common],
          env,
        );
        expect(cp.exitCode, cp.stderr).toBe(0);
        const ls = await runClient(AWS_V2 ?? 'aws', ['s3', 'ls', 's3://objects/', ...common], env);
        expect(ls.stdout).toMatch(/20 v2\.txt/);
      });
    });
  });
}
