/**
 * Who is calling: the identity SigV4 proved, as IAM would name it. Issue C (IAM) adds users,
 * roles and sessions; until then the only principal is the bootstrap administrator.
 */
export interface Principal {
  /** `arn:aws:iam::<account>:user/<name>` */
  arn: string;
  accountId: string;
  userName: string;
  accessKeyId: string;
  /** True only for the administrator created on first start. */
  isBootstrapAdmin: boolean;
}

/** The IAM user name of the administrator created on first start. */
export const BOOTSTRAP_ADMIN_USER = 'lockstep-admin';
