/**
 * IAM's names for things: ARNs with paths, and unique ids with the prefixes IAM uses (AIDA
 * users, AGPA groups, AROA roles, ANPA managed policies) followed by 17 characters.
 */
import { randomInt } from 'node:crypto';
import { InvalidInput } from './iam-errors.js';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export type IamKind = 'user' | 'group' | 'role' | 'policy';

const PREFIX: Record<IamKind, string> = {
  user: 'AIDA',
  group: 'AGPA',
  role: 'AROA',
  policy: 'ANPA',
};

/** A new unique id for an IAM entity. */
export function newIamId(kind: IamKind): string {
  let id = PREFIX[kind];
  for (let i = 0; i < 17; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

/** The ARN of an entity: `arn:aws:iam::<account>:<kind><path><name>`. */
export function iamArn(accountId: string, kind: IamKind, path: string, name: string): string {
  return `arn:aws:iam::${accountId}:${kind}${path}${name}`;
}

/** A path as IAM accepts it: `/` or `/a/b/`; defaults to `/`. */
export function checkPath(path: string | undefined): string {
  const value = path ?? '/';
  if (!/^\/([\x21-\x7e]+\/)?$/.test(value) || value.includes('//')) {
    throw new InvalidInput(
      `The specified value for path is invalid. It must begin and end with / : ${value}`,
    );
  }
  return value;
}

/** The name part of a role or user ARN in this account, or undefined. */
export function nameFromArn(accountId: string, kind: IamKind, arn: string): string | undefined {
  const prefix = `arn:aws:iam::${accountId}:${kind}/`;
  if (!arn.startsWith(prefix)) return undefined;
  const rest = arn.slice(prefix.length);
  return rest.slice(rest.lastIndexOf('/') + 1) || undefined;
}
