import {
  IncompleteSignatureException,
  InvalidSignatureException,
} from '../../errors/lockstep-error.js';

/** `AKID/20261121/us-east-1/codepipeline/aws4_request`, taken apart. */
export interface CredentialScope {
  accessKeyId: string;
  /** YYYYMMDD */
  date: string;
  region: string;
  service: string;
  /** `date/region/service/aws4_request`, the scope line of the string to sign. */
  scope: string;
}

// Syntax only: which regions this server answers for is the caller's decision.
const REGION = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Parses the Credential parameter and checks its scope against the service we are and the
 * signing time, reporting every mismatch at once in AWS's words.
 */
export function parseCredentialScope(
  credential: string,
  expectedService: string,
  amzDate: string,
): CredentialScope {
  const parts = credential.split('/');
  if (parts.length !== 5) {
    throw new IncompleteSignatureException(
      'Credential must have exactly 5 slash-delimited elements, ' +
        `e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = parts;
  const problems: string[] = [];
  if (!REGION.test(region)) {
    problems.push(`Credential should be scoped to a valid region, not '${region}'.`);
  }
  if (service !== expectedService) {
    problems.push(`Credential should be scoped to correct service: '${expectedService}'.`);
  }
  if (terminator !== 'aws4_request') {
    problems.push(
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`,
    );
  }
  const httpDate = amzDate.slice(0, 8);
  if (date !== httpDate) {
    problems.push(
      'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from ' +
        `HTTP: '${date}' != '${httpDate}', from '${amzDate}'.`,
    );
  }
  if (problems.length > 0) throw new InvalidSignatureException(problems.join(' '));
  return { accessKeyId, date, region, service, scope: `${date}/${region}/${service}/aws4_request` };
}
