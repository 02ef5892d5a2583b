/**
 * The one authorization hook every operation passes through (DESIGN.md principle 2). Issue C
 * replaces the body with IAM policy evaluation; until then the bootstrap administrator may do
 * everything and any other principal nothing.
 */
import { AccessDeniedException } from '../errors/lockstep-error.js';
import type { Principal } from './principal.js';

export interface AuthorizationRequest {
  principal: Principal;
  /** The IAM action, `codepipeline:GetPipeline`. */
  action: string;
  /** The resource ARN the action is on, or `*`. */
  resourceArn: string;
}

/** Allows or throws AccessDeniedException naming the action and resource, never a policy. */
export function authorize(request: AuthorizationRequest): void {
  if (request.principal.isBootstrapAdmin) return;
  throw new AccessDeniedException(
    `User: ${request.principal.arn} is not authorized to perform: ${request.action} ` +
      `on resource: ${request.resourceArn}`,
  );
}
