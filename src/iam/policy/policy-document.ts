/**
 * The IAM policy language as Lockstep accepts it: the JSON shape of a policy document (element
 * names exactly as IAM spells them) and the error a malformed one raises.
 */
import { LockstepError } from '../../errors/lockstep-error.js';

/** The two policy-language versions IAM accepts; only 2012-10-17 has policy variables. */
export type PolicyVersion = '2012-10-17' | '2008-10-17';

export type OneOrMany<T> = T | T[];

/** `"*"`, or `{"AWS": ...}` (account ids, IAM ARNs, `*`); Service, Federated, CanonicalUser never match an IAM caller. */
export type PrincipalElement =
  '*' | Partial<Record<'AWS' | 'Service' | 'Federated' | 'CanonicalUser', OneOrMany<string>>>;

/** IAM accepts JSON booleans and numbers as condition values and compares them as strings. */
export type ConditionValue = string | number | boolean;

/** `{ "<operator>": { "<condition key>": value or values } }` */
export type ConditionBlock = Record<string, Record<string, OneOrMany<ConditionValue>>>;

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: PrincipalElement;
  NotPrincipal?: PrincipalElement;
  Action?: OneOrMany<string>;
  NotAction?: OneOrMany<string>;
  Resource?: OneOrMany<string>;
  NotResource?: OneOrMany<string>;
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  /** Absent means 2008-10-17, as in IAM: policy variables are then literal text. */
  Version?: string;
  Id?: string;
  Statement: OneOrMany<Statement>;
}

/**
 * Where a policy is attached decides two rules IAM enforces at write time: identity policies
 * (and boundaries, session policies) must not name a Principal; resource policies must.
 */
/**
 * Where a policy is attached: to an identity, to a resource, or as a role's trust policy (a
 * resource policy on the role itself, so it names principals and has no Resource element).
 */
export type PolicyKind = 'identity' | 'resource' | 'trust';

/** IAM's MalformedPolicyDocument: AWS's wording where AWS has one, plus where in the document. */
export class PolicyDocumentError extends LockstepError {
  /** `Statement[1].Condition.StringEquals`, or empty for the whole document. */
  readonly path: string;

  constructor(message: string, path = '') {
    super('MalformedPolicyDocument', path === '' ? message : `${message} (at ${path})`);
    this.path = path;
  }
}
