/**
 * IAM's MFA error by its Query-protocol code, as iam-errors.ts declares the others (that file
 * belongs to the IAM entity work; this one to MFA).
 */
import { LockstepError } from '../../errors/lockstep-error.js';

/** EnableMFADevice's refusal of codes that are wrong, out of the window, or already used. */
export class InvalidAuthenticationCode extends LockstepError {
  constructor(message: string) {
    super('InvalidAuthenticationCode', message);
  }
}
