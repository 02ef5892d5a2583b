/**
 * `audit verify --endpoint-url`: verifyTrail over a server's GetAuditTrail, with what earlier
 * runs remembered (audit-seen-state.ts). The server's key must be one pinned for the endpoint
 * (or given with --public-key); the largest checkpoint verified before joins the server's own,
 * so a trail cut below it or rewritten under it fails even when the server dropped its
 * checkpoints. Only a trail that verifies updates what is remembered.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { AuditCheckpointRecord } from '../store/state-store.js';
import {
  readSeenEndpoint,
  rememberSeenEndpoint,
  type PinnedAuditKey,
  type SeenCheckpoint,
} from './audit-seen-state.js';
import { auditKeyId } from './checkpoint.js';
import type { RemoteTrailSource } from './remote-trail-source.js';
import { verifyTrail, type VerifyTrailResult } from './verify-trail.js';

export interface RemoteVerifyOptions {
  source: RemoteTrailSource;
  /** The endpoint's origin, the key of what is remembered about it. */
  endpoint: string;
  stateFile: string;
  /** Keys trusted besides the pinned ones (--public-key): how a rotated key is accepted. */
  extraKeys: readonly KeyObject[];
  now?: () => number;
}

/** verifyTrail's result plus what it was checked against. */
export type RemoteVerifyReport = VerifyTrailResult & {
  endpoint: string;
  stateFile: string;
  /** True when no key was pinned for the endpoint before, so the server's was trusted as is. */
  firstUse: boolean;
  /** The checkpoint remembered from earlier runs, before this one. */
  seenCheckpoint: { treeSize: number; rootHash: string; seenAt: string } | null;
  /** The keys checkpoints were checked with. */
  publicKeys: PinnedAuditKey[];
  /** The key the server offered, when it was refused. */
  serverPublicKey?: PinnedAuditKey;
};

/** Verifies a server's trail against its checkpoints and what earlier runs saw. */
export async function verifyRemoteTrail(options: RemoteVerifyOptions): Promise<RemoteVerifyReport> {
  const { source, endpoint, stateFile } = options;
  const remembered = await readSeenEndpoint(stateFile, endpoint);
  const head = await source.readHead();
  const serverKey = pin(head.publicKey);
  const pinned = (remembered?.publicKeys ?? []).map((k) => pin(createPublicKey(k.publicKey)));
  const trusted = new Map([...pinned, ...options.extraKeys.map(pin)].map((k) => [k.keyId, k]));
  const seen = remembered?.checkpoint;
  const firstUse = pinned.length === 0;
  const context = {
    endpoint,
    stateFile,
    firstUse,
    seenCheckpoint: seen === undefined ? null : seenSummary(seen),
  };
  if (!firstUse && !trusted.has(serverKey.keyId)) {
    return {
      ok: false,
      firstBadSequence: null,
      reason:
        `refused: the server's audit signing key ${serverKey.keyId} is not the one pinned for ` +
        `${endpoint} in ${stateFile} (${pinned.map((k) => k.keyId).join(', ')}); a new key ` +
        'can sign a rewritten history. If the key was rotated on purpose, pass its public ' +
        'half with --public-key FILE',
      ...context,
      publicKeys: [...trusted.values()],
      serverPublicKey: serverKey,
    };
  }
  trusted.set(serverKey.keyId, serverKey);
  const checkpoints = withSeen(head.checkpoints, seen);
  const keys = [...trusted.values()].map((k) => createPublicKey(k.publicKey));
  const result = await verifyTrail(
    {
      listAudit: (after, limit) => source.listAudit(after, limit),
      listAuditCheckpoints: () => Promise.resolve(checkpoints),
    },
    keys,
  );
  const publicKeys = [...trusted.values()];
  if (!result.ok) {
    const offered = seen !== undefined && head.checkpoints.some((cp) => sameHead(cp, seen));
    if (seen === undefined || offered || result.checkpointTreeSize !== seen.treeSize) {
      return { ...result, ...context, publicKeys };
    }
    // Say so when only this CLI's memory caught it: the server's own checkpoints could not.
    const when = new Date(seen.seenMs).toISOString();
    const against = `the checkpoint over ${seen.treeSize} records verified on ${when} (${stateFile})`;
    const reason = `${result.reason}; checked against ${against}, which the server no longer offers`;
    return { ...result, reason, ...context, publicKeys };
  }
  // Every checkpoint passed, so the largest is proven; remember it and the keys that signed.
  const largest = checkpoints.at(-1);
  const signers = new Set([serverKey.keyId, ...checkpoints.map((cp) => cp.keyId)]);
  await rememberSeenEndpoint(stateFile, endpoint, {
    publicKeys: publicKeys.filter((k) => signers.has(k.keyId)),
    ...(largest === undefined
      ? {}
      : { checkpoint: { ...largest, seenMs: (options.now ?? Date.now)() } }),
  });
  return { ...result, ...context, publicKeys };
}

function pin(key: KeyObject): PinnedAuditKey {
  return {
    keyId: auditKeyId(key),
    publicKey: key.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The server's checkpoints and the remembered one, smallest tree first, without duplicates. */
function withSeen(
  offered: readonly AuditCheckpointRecord[],
  seen: SeenCheckpoint | undefined,
): AuditCheckpointRecord[] {
  if (seen === undefined || offered.some((cp) => sameHead(cp, seen))) return [...offered];
  const { seenMs: _seenMs, ...checkpoint } = seen;
  // verifyTrail checks checkpoints in order as its walk reaches each size. The remembered one
  // goes first among equals (sort is stable): if the server re-signed another root at that
  // size, the failure then names the records since the last checkpoint both agree on.
  return [checkpoint, ...offered].sort((a, b) => a.treeSize - b.treeSize);
}

function sameHead(a: AuditCheckpointRecord, b: AuditCheckpointRecord): boolean {
  return a.treeSize === b.treeSize && a.rootHash === b.rootHash;
}

function seenSummary(seen: SeenCheckpoint) {
  return {
    treeSize: seen.treeSize,
    rootHash: seen.rootHash,
    seenAt: new Date(seen.seenMs).toISOString(),
  };
}
