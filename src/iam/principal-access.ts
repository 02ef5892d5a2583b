/**
 * What one principal may do, decided by the real policy engine (evaluatePolicies) rather than
 * by reading the policies. A request carries facts a stored policy cannot know in advance:
 * MFA is evaluated both ways ("allowed only with MFA"), and a statement whose conditions read
 * any other request key (aws:SourceIp, aws:SecureTransport, tags...) makes the answer
 * "conditional" when it could change it, instead of a guess.
 */
import type { ReportPrincipalInput } from './access-report.js';
import { compiledPolicyOf } from './policy/compile-policy.js';
import type { EvaluationResult, PolicyType } from './policy/evaluate-policies.js';
import { evaluatePolicies } from './policy/evaluate-policies.js';
import type { PolicyDocument, Statement } from './policy/policy-document.js';
import type { RequestContext } from './policy/request-context.js';

export type AccessLevel = 'allowed' | 'allowed-with-mfa' | 'conditional' | 'denied';

export interface ActionAccess {
  action: string;
  access: AccessLevel;
  /** For `conditional`: the request keys the answer depends on (lower-cased). */
  dependsOn?: string[];
}

/** Keys the report knows for every request: the principal's own, the clock, and MFA (tried both ways). */
const KNOWN_KEYS = new Set([
  'aws:principalarn',
  'aws:principalaccount',
  'aws:username',
  'aws:currenttime',
  'aws:epochtime',
  'aws:multifactorauthpresent',
  'aws:multifactorauthage',
]);

/**
 * Long-term keys send MFA as `false` in Lockstep but as absent on AWS: "without MFA" must hold
 * for both. "With MFA" is a fresh MFA session.
 */
const WITHOUT_MFA: Record<string, string>[] = [{}, { 'aws:MultiFactorAuthPresent': 'false' }];
const WITH_MFA = { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '0' };

/** A statement whose conditions read a request key the report cannot know. */
interface DependentStatement {
  id: string;
  effect: 'Allow' | 'Deny';
  inBoundary: boolean;
  keys: string[];
  /** The statement alone, without its Condition: does it cover an action and resource? */
  unconditioned: PolicyDocument;
}

const statementId = (type: PolicyType, policyIndex: number, statementIndex: number) =>
  `${type}:${policyIndex}:${statementIndex}`;

function dependentStatements(
  document: PolicyDocument,
  type: PolicyType,
  policyIndex: number,
): DependentStatement[] {
  const raw: Statement[] = Array.isArray(document.Statement)
    ? document.Statement
    : [document.Statement];
  const found: DependentStatement[] = [];
  for (const statement of compiledPolicyOf(document).statements) {
    const keys = statement.conditions.map((c) => c.key).filter((k) => !KNOWN_KEYS.has(k));
    const source = raw[statement.index];
    if (keys.length === 0 || source === undefined) continue;
    const { Condition: _dropped, ...unconditioned } = source;
    found.push({
      id: statementId(type, policyIndex, statement.index),
      effect: statement.effect,
      inBoundary: type === 'permissionsBoundary',
      keys: [...new Set(keys)].sort(),
      unconditioned: { Version: document.Version ?? '2008-10-17', Statement: [unconditioned] },
    });
  }
  return found;
}

export class PrincipalAccess {
  private readonly identity: PolicyDocument[];
  private readonly boundary: PolicyDocument | undefined;
  private readonly dependents: DependentStatement[];
  private readonly dependentIds: Set<string>;

  constructor(
    private readonly principal: Pick<
      ReportPrincipalInput,
      'type' | 'arn' | 'policies' | 'permissionsBoundary'
    >,
    private readonly nowMs: number,
  ) {
    this.identity = principal.policies.map((p) => p.document);
    this.boundary = principal.permissionsBoundary?.document;
    this.dependents = [
      ...this.identity.flatMap((d, i) => dependentStatements(d, 'identity', i)),
      ...(this.boundary ? dependentStatements(this.boundary, 'permissionsBoundary', 0) : []),
    ];
    this.dependentIds = new Set(this.dependents.map((d) => d.id));
  }

  /** Whether the principal may perform `action` on `resource`, without MFA, only with it, or not. */
  access(action: string, resource: string): ActionAccess {
    const without = WITHOUT_MFA.map((mfa) => this.evaluate(action, resource, mfa));
    const withMfa = this.evaluate(action, resource, WITH_MFA);
    const allowed = (r: EvaluationResult) => r.decision === 'Allow';
    const base: AccessLevel = without.every(allowed)
      ? 'allowed'
      : allowed(withMfa)
        ? 'allowed-with-mfa'
        : 'denied';
    // An unconditional explicit deny holds whatever the request says.
    if ([...without, withMfa].every((r) => this.firmlyDenied(r))) {
      return { action, access: 'denied' };
    }
    const relevant = this.relevantDependents(action, resource);
    const couldGrant = relevant.some((d) => d.effect === 'Allow') && base !== 'allowed';
    const couldRefuse = relevant.some((d) => d.effect === 'Deny') && base !== 'denied';
    if (!couldGrant && !couldRefuse) return { action, access: base };
    const dependsOn = [...new Set(relevant.flatMap((d) => d.keys))].sort();
    return { action, access: 'conditional', dependsOn };
  }

  private evaluate(action: string, resource: string, mfa: Record<string, string>) {
    return evaluatePolicies({
      identityPolicies: this.identity,
      ...(this.boundary ? { permissionsBoundary: this.boundary } : {}),
      context: this.context(action, resource, mfa),
    });
  }

  private context(action: string, resource: string, extra: Record<string, string>): RequestContext {
    const isRole = this.principal.type === 'role';
    return {
      principalArn: this.principal.arn,
      ...(isRole ? { principalRoleArn: this.principal.arn } : {}),
      action,
      resource,
      conditionKeys: {
        // The report is "as of now": date conditions see the report's clock.
        'aws:CurrentTime': new Date(this.nowMs).toISOString(),
        'aws:EpochTime': String(Math.floor(this.nowMs / 1000)),
        ...extra,
      },
    };
  }

  /** Dependent statements that would apply to this action and resource if their conditions held. */
  private relevantDependents(action: string, resource: string): DependentStatement[] {
    return this.dependents.filter((d) => {
      const result = evaluatePolicies({
        identityPolicies: [d.unconditioned],
        context: this.context(action, resource, WITH_MFA),
      });
      if (d.effect === 'Deny') return result.decision === 'ExplicitDeny';
      if (result.decision !== 'Allow') return false;
      // A boundary only limits: its Allow matters only where an identity policy grants.
      return !d.inBoundary || this.identityCouldGrant(action, resource);
    });
  }

  private identityCouldGrant(action: string, resource: string): boolean {
    const context = this.context(action, resource, WITH_MFA);
    const own = evaluatePolicies({ identityPolicies: this.identity, context });
    return (
      own.decision === 'Allow' ||
      this.dependents.some(
        (d) =>
          !d.inBoundary &&
          d.effect === 'Allow' &&
          evaluatePolicies({ identityPolicies: [d.unconditioned], context }).decision === 'Allow',
      )
    );
  }

  private firmlyDenied(result: EvaluationResult): boolean {
    return (
      result.decision === 'ExplicitDeny' &&
      result.matchedStatements.some(
        (m) => !this.dependentIds.has(statementId(m.policyType, m.policyIndex, m.statementIndex)),
      )
    );
  }
}
