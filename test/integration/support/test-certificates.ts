/**
 * TLS material made with the real `openssl` for a test: a CA, a server certificate it signed
 * for 127.0.0.1, and a self-signed one that no CA vouches for. Nothing outlives the test's
 * directory, and no certificate is valid for more than a day.
 */
import { execFile, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Why TLS material cannot be made here, or undefined when openssl is on the PATH. */
export const OPENSSL_MISSING =
  spawnSync('openssl', ['version']).error === undefined
    ? undefined
    : 'openssl is not installed (.ci/run installs it)';

export interface TestCertificates {
  /** The CA's certificate: what an operator gives Lockstep as --git-ca-file. */
  caFile: string;
  /** A key and certificate for 127.0.0.1, signed by the CA. */
  server: { keyFile: string; certFile: string };
  /** A key and self-signed certificate for 127.0.0.1 that the CA never signed. */
  untrusted: { keyFile: string; certFile: string };
}

const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const FOR_LOOPBACK = ['-days', '1', '-subj', '/CN=127.0.0.1'];

/** Makes the CA and both certificates in `dir`. */
export async function makeTestCertificates(dir: string): Promise<TestCertificates> {
  const file = (name: string) => path.join(dir, name);
  await run('openssl', [
    ...['req', '-x509', ...NEW_KEY, '-days', '1', '-subj', '/CN=Lockstep test CA'],
    ...['-addext', 'basicConstraints=critical,CA:TRUE'],
    ...['-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    ...['-keyout', file('ca.key'), '-out', file('ca.pem')],
  ]);
  await run('openssl', [
    ...[
      'req',
      ...NEW_KEY,
      ...FOR_LOOPBACK,
      '-keyout',
      file('server.key'),
      '-out',
      file('server.csr'),
    ],
  ]);
  await writeFile(
    file('server.ext'),
    'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
  );
  await run('openssl', [
    ...['x509', '-req', '-in', file('server.csr'), '-days', '1', '-extfile', file('server.ext')],
    ...['-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial'],
    ...['-out', file('server.pem')],
  ]);
  await run('openssl', [
    ...['req', '-x509', ...NEW_KEY, ...FOR_LOOPBACK, '-addext', 'subjectAltName=IP:127.0.0.1'],
    ...['-keyout', file('untrusted.key'), '-out', file('untrusted.pem')],
  ]);
  return {
    caFile: file('ca.pem'),
    server: { keyFile: file('server.key'), certFile: file('server.pem') },
    untrusted: { keyFile: file('untrusted.key'), certFile: file('untrusted.pem') },
  };
}
