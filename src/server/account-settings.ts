/**
 * The account id and region a data directory belongs to. Pipeline ARNs embed both, so they are
 * fixed at first start: a later start with a different --account-id or --region is refused
 * rather than silently orphaning every ARN.
 */
import { randomInt } from 'node:crypto';
import { InvalidOptionError } from '../config/serve-options.js';
import type { StateStore } from '../store/state-store.js';

/** The stored account id and region, set on first start from the options or generated. */
export async function resolveAccountScope(
  store: StateStore,
  wanted: { accountId: string | undefined; region: string },
): Promise<{ accountId: string; region: string }> {
  const accountId = await store.initSetting('account.id', wanted.accountId ?? generateAccountId());
  if (wanted.accountId !== undefined && wanted.accountId !== accountId) {
    throw new InvalidOptionError(
      `this state belongs to account ${accountId}; it cannot be served as account ${wanted.accountId}`,
    );
  }
  const region = await store.initSetting('account.region', wanted.region);
  if (region !== wanted.region) {
    throw new InvalidOptionError(
      `this state belongs to region ${region}; start with --region ${region} (got ${wanted.region})`,
    );
  }
  return { accountId, region };
}

function generateAccountId(): string {
  // A first digit of 9 keeps generated ids apart from the 0000/1111/1234 ids of examples.
  let id = '9';
  for (let i = 0; i < 11; i++) id += String(randomInt(10));
  return id;
}
