/**
 * CloudWatch Logs' modelled exceptions (models/logs/2014-03-28/service-2.json) and the messages
 * AWS gives, so that boto3 and the SDKs map them to their own classes. ResourceNotFoundException
 * has the same wire name as CodePipeline's.
 */
import { named } from '../errors/lockstep-error.js';
import { ResourceNotFoundException } from '../errors/codepipeline-errors.js';

export const InvalidParameterException = named('InvalidParameterException');

/** AWS's error for a log group that does not exist. */
export function logGroupNotFound(): InstanceType<typeof ResourceNotFoundException> {
  return new ResourceNotFoundException('The specified log group does not exist.');
}

/** AWS's error for a log stream that does not exist. */
export function logStreamNotFound(): InstanceType<typeof ResourceNotFoundException> {
  return new ResourceNotFoundException('The specified log stream does not exist.');
}
