/**
 * STS: GetCallerIdentity, GetSessionToken (optionally proving MFA with a TOTP code) and
 * AssumeRole (trust policy, duration limits, ExternalId, session policies). Every session is
 * stored (session-credentials.ts) and tied to the long-term key that started its chain.
 */
import { AccessDeniedException, ValidationException } from '../../errors/lockstep-error.js';
import type { RootKey } from '../../kms/root-key.js';
import type { AccountScope } from '../../pipelines/pipeline-arn.js';
import type { IamRoleRecord } from '../../store/iam-store.js';
import type { StateStore } from '../../store/state-store.js';
import { nameFromArn } from '../iam-identifiers.js';
import type { MfaService } from '../mfa/mfa-service.js';
import { parsePolicyDocument } from '../policy/parse-policy-document.js';
import type { Principal } from '../principal.js';
import { roleTrustAllows } from './role-trust.js';
import { issueSession, type SessionTemplate } from './session-credentials.js';

/** GetSessionToken's default; the account owner's sessions last one hour at most. */
const USER_SESSION_SECONDS = { default: 43_200, bootstrapAdminMax: 3_600 };
/** AssumeRole's default, and the limit when a role session assumes another role. */
const ROLE_SESSION_SECONDS = { default: 3_600, chainedMax: 3_600 };

export interface StsDependencies {
  store: StateStore;
  rootKey: RootKey;
  scope: AccountScope;
  /** The clock, for tests; Date.now by default. */
  now?: () => number;
}

export interface AssumeRoleInput {
  RoleArn: string;
  RoleSessionName: string;
  DurationSeconds?: number;
  ExternalId?: string;
  Policy?: string;
  PolicyArns?: { arn?: string }[];
  SerialNumber?: string;
  TokenCode?: string;
}

export class StsService {
  private readonly now: () => number;

  constructor(
    private readonly deps: StsDependencies,
    private readonly mfa: MfaService,
  ) {
    this.now = deps.now ?? Date.now;
  }

  /** GetCallerIdentity: allowed to every authenticated caller. */
  async getCallerIdentity(caller: Principal) {
    const { session } = caller;
    let userId = caller.accountId; // the account's own id stands for its root, the administrator
    if (session?.roleName !== undefined) {
      const role = await this.deps.store.iam.getRole(session.roleName);
      userId = `${role?.roleId ?? session.roleName}:${session.sessionName ?? ''}`;
    } else {
      userId = (await this.deps.store.iam.getUser(caller.userName))?.userId ?? userId;
    }
    return { UserId: userId, Account: caller.accountId, Arn: caller.arn };
  }

  /** GetSessionToken: a user's session, MFA-authenticated when a valid code comes with it. */
  async getSessionToken(
    caller: Principal,
    input: { DurationSeconds?: number; SerialNumber?: string; TokenCode?: string },
  ) {
    if (caller.session) {
      throw new AccessDeniedException('Cannot call GetSessionToken with session credentials');
    }
    const nowMs = this.now();
    const mfaAtMs = await this.proveMfa(caller.userName, input, nowMs);
    let seconds = input.DurationSeconds ?? USER_SESSION_SECONDS.default;
    if (caller.isBootstrapAdmin)
      seconds = Math.min(seconds, USER_SESSION_SECONDS.bootstrapAdminMax);
    const template: SessionTemplate = {
      sourceAccessKeyId: caller.accessKeyId,
      userName: caller.userName,
      principalArn: caller.arn,
      roleArn: null,
      roleName: null,
      roleId: null,
      sessionName: null,
      mfaAuthenticatedMs: mfaAtMs ?? null,
      sessionPolicy: null,
      sessionPolicyArns: [],
    };
    return { Credentials: await issueSession({ ...this.deps, nowMs }, template, seconds) };
  }

  /** AssumeRole: the trust policy must allow the caller; AccessDenied names the role. */
  async assumeRole(caller: Principal, input: AssumeRoleInput) {
    const nowMs = this.now();
    // MFA first: a trust policy may require it. A role session inherits its caller's MFA.
    const mfaAtMs =
      (await this.proveMfa(caller.userName, input, nowMs)) ?? caller.session?.mfaAuthenticatedAtMs;
    const role = await this.trustedRole(caller, input, { nowMs, mfaAtMs });
    const seconds = input.DurationSeconds ?? ROLE_SESSION_SECONDS.default;
    if (seconds > role.maxSessionSeconds) {
      throw new ValidationException(
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );
    }
    if (caller.session?.roleArn !== undefined && seconds > ROLE_SESSION_SECONDS.chainedMax) {
      throw new ValidationException(
        'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      );
    }
    const policyArns = await this.sessionPolicyArns(input);
    if (input.Policy !== undefined) parsePolicyDocument(input.Policy, { kind: 'identity' });
    const arn = `arn:aws:sts::${this.deps.scope.accountId}:assumed-role/${role.roleName}/${input.RoleSessionName}`;
    const template: SessionTemplate = {
      ...(await this.chainOrigin(caller)),
      principalArn: arn,
      roleArn: role.arn,
      roleName: role.roleName,
      roleId: role.roleId,
      sessionName: input.RoleSessionName,
      mfaAuthenticatedMs: mfaAtMs ?? null,
      sessionPolicy: input.Policy ?? null,
      sessionPolicyArns: policyArns,
    };
    return {
      Credentials: await issueSession({ ...this.deps, nowMs }, template, seconds),
      AssumedRoleUser: { AssumedRoleId: `${role.roleId}:${input.RoleSessionName}`, Arn: arn },
    };
  }

  /** The role, if it exists and trusts the caller; the refusal never says which it was. */
  private async trustedRole(
    caller: Principal,
    input: AssumeRoleInput,
    at: { nowMs: number; mfaAtMs: number | undefined },
  ) {
    const denied = new AccessDeniedException(
      `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
    );
    const name = nameFromArn(this.deps.scope.accountId, 'role', input.RoleArn);
    const role: IamRoleRecord | undefined =
      name === undefined ? undefined : await this.deps.store.iam.getRole(name);
    if (!role || role.arn !== input.RoleArn) throw denied;
    const trusted = roleTrustAllows({
      caller,
      role,
      sessionName: input.RoleSessionName,
      ...(input.ExternalId === undefined ? {} : { externalId: input.ExternalId }),
      ...(at.mfaAtMs === undefined ? {} : { mfaAtMs: at.mfaAtMs }),
      nowMs: at.nowMs,
    });
    if (!trusted) throw denied;
    return role;
  }

  /** The long-term key and user at the start of the caller's chain of sessions. */
  private async chainOrigin(caller: Principal) {
    if (!caller.session)
      return { sourceAccessKeyId: caller.accessKeyId, userName: caller.userName };
    const parent = await this.deps.store.mfa.getSession(caller.accessKeyId);
    // The caller authenticated with this session a moment ago; its absence is a server fault.
    if (!parent) throw new Error(`session ${caller.accessKeyId} vanished`);
    return { sourceAccessKeyId: parent.sourceAccessKeyId, userName: parent.userName };
  }

  private async sessionPolicyArns(input: AssumeRoleInput): Promise<string[]> {
    const arns = (input.PolicyArns ?? []).map((p) => p.arn ?? '');
    for (const arn of arns) {
      if (!(await this.deps.store.iam.getPolicy(arn))) {
        throw new ValidationException(`Policy ${arn} does not exist or is not attachable.`);
      }
    }
    return arns;
  }

  /** The time MFA was proved in this call, undefined if no serial number was given. */
  private async proveMfa(
    userName: string,
    input: { SerialNumber?: string; TokenCode?: string },
    nowMs: number,
  ): Promise<number | undefined> {
    if (input.SerialNumber === undefined && input.TokenCode === undefined) return undefined;
    if (input.SerialNumber === undefined || input.TokenCode === undefined) {
      throw new ValidationException('SerialNumber and TokenCode must be given together.');
    }
    const check = await this.mfa.checkCode(userName, input.SerialNumber, input.TokenCode);
    if (check === 'no-device') {
      throw new AccessDeniedException(
        'MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA ' +
          'serial number is valid and associated with this user.',
      );
    }
    if (check === 'invalid-code') {
      throw new AccessDeniedException(
        'MultiFactorAuthentication failed with invalid MFA one time pass code.',
      );
    }
    return nowMs;
  }
}
