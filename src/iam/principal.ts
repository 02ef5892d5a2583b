/**
 * Who is calling: the identity SigV4 proved, as IAM would name it: an IAM user with a
 * long-term key, or a session (STS temporary credentials) of a user or of an assumed role.
 */
export interface Principal {
  /** `arn:aws:iam::<account>:user/<name>`, or `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  arn: string;
  accountId: string;
  /** The IAM user; '' for a role session, which acts as its role and never as a user. */
  userName: string;
  accessKeyId: string;
  /** True only for the administrator created on first start (and its own user sessions). */
  isBootstrapAdmin: boolean;
  /** Set when the caller signed with temporary credentials from STS. */
  session?: PrincipalSession;
}

/** What a session adds to its principal; the role fields are set for AssumeRole sessions. */
export interface PrincipalSession {
  roleArn?: string;
  roleName?: string;
  sessionName?: string;
  /** When MFA was proved for the session; absent when it was not. */
  mfaAuthenticatedAtMs?: number;
  /** The inline session policy AssumeRole was given. */
  sessionPolicy?: string;
  /** Managed session policies AssumeRole was given. */
  sessionPolicyArns?: string[];
}

/** The IAM user name of the administrator created on first start. */
export const BOOTSTRAP_ADMIN_USER = 'lockstep-admin';
