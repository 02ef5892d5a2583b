/**
 * What an action's output is scrubbed with once its secrets are read: the context's redactor
 * (credential shapes, and whatever its job resolved before it started) plus every value the
 * provider itself read since (SECRETS_MANAGER variables, buildspec secrets).
 */
import { Redactor } from '../secrets/redaction.js';
import type { ProviderContext } from './built-in-provider.js';

export function runRedactor(ctx: Pick<ProviderContext, 'redactor' | 'secrets'>): Redactor {
  const base = ctx.redactor ?? Redactor.shapesOnly;
  return ctx.secrets === undefined ? base : base.withSecrets(ctx.secrets.values);
}
