import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { findCredentialLikeValue, MIN_SECRET_LENGTH, Redactor } from './redaction.js';

// Built from pieces so that no scanner mistakes this file for a leak; all are made up.
const AKIA = 'AKIA' + 'IOSFODNN7EXAMPLE';
const ASIA = 'ASIA' + 'Q3EGUWSZ4EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/' + 'bPxRfiCYEXAMPLEKEY';
const GHP = 'ghp_' + 'x1Y2z3W4'.repeat(4) + 'AbCd';
const PAT = 'github_pat_' + '11ABCDEFG0' + 'abcdefghij_'.repeat(7) + 'XYZ12';
const GLPAT = 'glpat-' + 'Zx9_Yw8-Vu7tS6rQ5pO4';
const SLACK = 'xoxb-' + '123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
const KEY_BODY =
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n';
const RSA_BLOCK = `-----BEGIN RSA PRIVATE KEY-----\n${KEY_BODY}-----END RSA PRIVATE KEY-----`;
const OPENSSH_BLOCK = `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----`;
const COMMIT = '3f786850e387550fdab836ed7e6dc881de23001b';
const UUID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const b64url = (text: string) => Buffer.from(text).toString('base64url');

describe('Redactor with secret values', () => {
  const secret = 'hunter2-Sup3r/s3cret+value';
  const redactor = new Redactor([secret]);

  it.each([
    ['as written', `token=${secret} done`],
    ['base64', `echo ${b64(secret)}`],
    ['base64 without padding', `x ${b64(secret).replace(/=+$/, '')} y`],
    ['url-safe base64', `x ${b64url(secret)} y`],
    ['URL-encoded', `https://host/?t=${encodeURIComponent(secret)}&a=1`],
    ['form-encoded', `body: t=${encodeURIComponent(secret + ' x').replace(/%20/g, '+')}`],
    ['JSON-escaped', JSON.stringify({ token: secret + '"q' })],
  ])('hides the value %s', (_form, line) => {
    const out = redactor.redact(line);
    expect(out).toContain('***');
    expect(out).not.toContain(secret);
    for (const form of [b64(secret), b64url(secret), encodeURIComponent(secret)]) {
      expect(out).not.toContain(form.slice(0, 12));
    }
  });

  it.each([0, 1, 2])(
    'hides the value inside a longer base64 stream at byte offset %i',
    (offset) => {
      for (const encode of [b64, b64url]) {
        const stream = encode('p'.repeat(offset + 3) + secret + 'trailing bytes');
        const out = redactor.redact(`data: ${stream}`);
        expect(out).toContain('***');
        // Only the characters that mix in neighbouring bytes may remain around the mask.
        const core = encode('q'.repeat(offset) + secret).slice(2, -4);
        expect(out).not.toContain(core.slice(offset === 0 ? 0 : 2));
      }
    },
  );

  it('hides each line of a multi-line value, and the whole value', () => {
    const multi = new Redactor(['first-line-of-it\nsecond-line-of-it']);
    expect(multi.redact('a first-line-of-it\nsecond-line-of-it b')).toBe('a *** b');
    expect(multi.redact('only second-line-of-it here')).toBe('only *** here');
  });

  it(`leaves values shorter than ${MIN_SECRET_LENGTH} characters alone, and redacts longer ones`, () => {
    const short = new Redactor(['abc', ' on ', 'x']);
    const text = 'abc on x: a cabbage, an onion, x-ray';
    expect(short.redact(text)).toBe(text);
    expect(new Redactor(['abcd']).redact('xabcdx abc')).toBe('x***x abc');
  });

  it('adds values with withSecrets and keeps the ones it had', () => {
    const both = new Redactor(['first-secret']).withSecrets(['second-secret']);
    expect(both.redact('first-secret second-secret')).toBe('*** ***');
  });

  it('prefers the longest form at one position', () => {
    const r = new Redactor(['abcdef', 'abcdefghij']);
    expect(r.redact('abcdefghij abcdef')).toBe('*** ***');
  });

  it('treats regular expression characters in a value literally', () => {
    const r = new Redactor(['a.b*c(d)[e]$']);
    expect(r.redact('x a.b*c(d)[e]$ y aXbbc(d)[e]$')).toBe('x *** y aXbbc(d)[e]$');
  });
});

describe('Redactor with the well-known credential shapes only', () => {
  const r = Redactor.shapesOnly;

  it.each([
    ['an AWS access key id', `AWS_ACCESS_KEY_ID=${AKIA}`, 'AWS_ACCESS_KEY_ID=***'],
    ['a session access key id', `key ${ASIA} used`, 'key *** used'],
    [
      'a secret access key after its variable name',
      `export AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`,
      'export AWS_SECRET_ACCESS_KEY=***',
    ],
    [
      'a secret access key in a credentials file',
      `aws_secret_access_key = ${AWS_SECRET}`,
      'aws_secret_access_key = ***',
    ],
    [
      'a secret access key in STS JSON',
      `"SecretAccessKey": "${AWS_SECRET}",`,
      '"SecretAccessKey": "***",',
    ],
    ['a classic GitHub token', `token ${GHP}`, 'token ***'],
    ...['gho_', 'ghu_', 'ghs_', 'ghr_'].map((prefix) => [
      `a GitHub ${prefix} token`,
      `x ${prefix}${GHP.slice(4)} y`,
      'x *** y',
    ]),
    ['a fine-grained GitHub token', `GH=${PAT}`, 'GH=***'],
    [
      'a GitHub token in a URL',
      `https://x-access-token:${GHP}@github.com/o/r`,
      'https://x-access-token:***@github.com/o/r',
    ],
    ['a GitLab token', `PRIVATE-TOKEN: ${GLPAT}`, 'PRIVATE-TOKEN: ***'],
    ['a Slack token', `slack ${SLACK}!`, 'slack ***!'],
    ['an RSA private key block', `key:\n${RSA_BLOCK}\nafter`, 'key:\n***\nafter'],
    ['an OpenSSH private key block', `${OPENSSH_BLOCK}\n`, '***\n'],
    [
      'a private key block with no END line',
      `before\n-----BEGIN EC PRIVATE KEY-----\n${KEY_BODY}`,
      'before\n***',
    ],
  ])('scrubs %s', (_what, input, expected) => {
    expect(r.redact(input)).toBe(expected);
  });

  it.each([
    ['a commit id', `HEAD is now at ${COMMIT} fix build`],
    ['a UUID', `execution ${UUID} started`],
    [
      'a SHA-256 digest',
      `sha256:${'9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'}`,
    ],
    ['a bare 40-character base64 string', `digest ${AWS_SECRET.replace(/\//g, 'x')}`],
    ['an ARN', 'arn:aws:iam::123456789012:role/AKIA-deployer'],
    ['words that start like tokens', 'ghp_short ghost_protocol xoxo-hugs glpat-tiny AKIAS'],
    ['a key id inside a longer word', `X${AKIA}Y`],
    ['a public key block', '-----BEGIN PUBLIC KEY-----\nMFkwEwYH\n-----END PUBLIC KEY-----'],
    ['a certificate', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
    ['plain prose', 'Build succeeded in 42 s; 3 warnings, 0 errors. Deploying to prod.'],
  ])('leaves %s alone', (_what, text) => {
    expect(r.redact(text)).toBe(text);
  });
});

describe('findCredentialLikeValue', () => {
  it.each([
    [AKIA, 'aws-access-key-id'],
    [`AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`, 'aws-secret-access-key'],
    [GHP, 'github-token'],
    [PAT, 'github-token'],
    [GLPAT, 'gitlab-token'],
    [SLACK, 'slack-token'],
    [RSA_BLOCK, 'private-key'],
  ])('recognises %s', (value, id) => {
    expect(findCredentialLikeValue(value)?.id).toBe(id);
  });

  it.each([COMMIT, UUID, 'main', 'my-app', 'arn:aws:iam::123456789012:role/Deploy', AWS_SECRET])(
    'finds nothing in %s',
    (value) => {
      expect(findCredentialLikeValue(value)).toBeUndefined();
    },
  );

  it('gives a description a message can use', () => {
    expect(findCredentialLikeValue(`id ${AKIA}`)?.description).toBe('an AWS access key id');
  });
});

describe('RedactingStream', () => {
  const secret = 'split-me-if-you-can-9876';
  const redactor = new Redactor([secret]);
  const texts = [
    `one ${secret} two ${b64(secret)} three\n`,
    `id ${AKIA} and ${GHP}\nnext ${PAT} line\n`,
    `x\n${RSA_BLOCK}\ny ${SLACK}\n`,
    `aws_secret_access_key=${AWS_SECRET} no newline at the end ${secret}`,
    `commit ${COMMIT} uuid ${UUID}\n`,
  ];

  it.each(texts.map((text, i) => [i, text]))(
    'gives the same result for every split of text %i into two chunks',
    (_i, text) => {
      const whole = redactor.redact(text);
      for (let at = 0; at <= text.length; at++) {
        const stream = redactor.stream();
        const out = stream.write(text.slice(0, at)) + stream.write(text.slice(at)) + stream.end();
        expect(out, `split at ${at}`).toBe(whole);
      }
    },
  );

  it('gives the same result one character at a time', () => {
    for (const text of texts) {
      const stream = redactor.stream();
      let out = '';
      for (const char of text) out += stream.write(char);
      expect(out + stream.end()).toBe(redactor.redact(text));
    }
  });

  it('holds back at most the longest pattern less one character, and nothing after a line break', () => {
    const stream = Redactor.shapesOnly.stream();
    const text = 'x'.repeat(1000);
    expect(stream.write(text).length).toBe(1000 - Redactor.shapesOnly.maxHeldBackChars);
    expect(stream.write('y\n')).toBe('x'.repeat(Redactor.shapesOnly.maxHeldBackChars) + 'y\n');
    expect(stream.end()).toBe('');
  });

  it('holds back across line breaks only when a secret value spans lines', () => {
    const multi = new Redactor(['line-one-of\nline-two-of']);
    const stream = multi.stream();
    expect(stream.write('line-one-of\n')).toBe('');
    expect(stream.write('line-two-of\n') + stream.end()).toBe('***\n');
  });

  it('drops a private key block printed over many chunks', () => {
    const stream = Redactor.shapesOnly.stream();
    let out = stream.write('before\n-----BEGIN PRIVATE KEY-----\n');
    for (let i = 0; i < 50; i++) out += stream.write(`${'QUJD'.repeat(16)}\n`);
    out += stream.write('-----END PRIVATE KEY-----\nafter\n') + stream.end();
    expect(out).toBe('before\n***\nafter\n');
  });

  it('redacts a byte stream split inside a secret and inside a UTF-8 character', async () => {
    const text = `é ${secret} ü ${AKIA}\n`;
    const bytes = Buffer.from(text, 'utf8');
    const chunks = [
      bytes.subarray(0, 1),
      bytes.subarray(1, 10),
      bytes.subarray(10, 40),
      bytes.subarray(40),
    ];
    const out: Buffer[] = [];
    for await (const chunk of Readable.from(chunks).pipe(redactor.transform())) {
      out.push(chunk as Buffer);
    }
    expect(Buffer.concat(out).toString('utf8')).toBe('é *** ü ***\n');
  });
});
