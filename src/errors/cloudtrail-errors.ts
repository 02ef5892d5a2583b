/**
 * CloudTrail's modelled exceptions that LookupEvents raises, named as in the service model
 * (models/cloudtrail/2013-11-01/service-2.json). An invalid NextToken reuses CodePipeline's
 * InvalidNextTokenException: the wire name is the same in both models.
 */
import { LockstepError } from './lockstep-error.js';

function modelled(code: string) {
  return class extends LockstepError {
    constructor(message: string, options?: { cause?: unknown }) {
      super(code, message, options);
    }
  };
}

export const InvalidLookupAttributesException = modelled('InvalidLookupAttributesException');
export const InvalidTimeRangeException = modelled('InvalidTimeRangeException');
