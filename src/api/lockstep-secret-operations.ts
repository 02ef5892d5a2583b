/**
 * Lockstep's own Secrets Manager operation: ListOverdueSecrets, the secrets whose rotation is
 * overdue (src/secrets/rotation-schedule.ts), for `lockstep secrets overdue`. It shows what
 * DescribeSecret shows of each, so it takes ListSecrets' permission.
 */
import { defineOperation, type Operation } from './operation.js';

/** The secret operations of Lockstep's own API, for the lockstepService table. */
export const lockstepSecretOperations: Operation[] = [
  defineOperation<Record<string, never>>({
    name: 'ListOverdueSecrets',
    iamAction: 'secretsmanager:ListSecrets',
    readOnly: true,
    // ListSecrets has no resource-level permissions in IAM.
    resourceArn: () => '*',
    handle: async (_input, { services }) => ({
      generatedAt: new Date(),
      secrets: await services.secrets.catalog.overdue(),
    }),
  }),
];
