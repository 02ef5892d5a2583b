/**
 * RFC 6962 section 2.1 Merkle tree hashing: leaf = SHA-256(0x00 || data), node =
 * SHA-256(0x01 || left || right), and for n leaves the left subtree holds the largest power
 * of two smaller than n. The audit trail's leaf data is each record's 32-byte record_hash.
 */
import { createHash } from 'node:crypto';

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** The hash of a leaf holding `data`. */
export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

/** The hash of an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The root of the tree over `leafHashes`, by the RFC's recursive definition. */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Buffer {
  if (leafHashes.length === 0) return createHash('sha256').digest();
  if (leafHashes.length === 1) return Buffer.from(leafHashes[0]!);
  let split = 1;
  while (split * 2 < leafHashes.length) split *= 2;
  return nodeHash(merkleRoot(leafHashes.slice(0, split)), merkleRoot(leafHashes.slice(split)));
}

interface Subtree {
  hash: Buffer;
  height: number;
}

/**
 * A tree grown one leaf at a time, keeping only the roots of its perfect subtrees (one per
 * set bit of the size), so that appending costs O(1) amortized and a root O(log n) — what
 * lets the checkpointer and the verifier stream millions of records.
 */
export class MerkleFrontier {
  private readonly subtrees: Subtree[] = [];
  private leaves = 0;

  /** How many leaves the tree has. */
  get size(): number {
    return this.leaves;
  }

  /** Appends a leaf by its leaf hash. */
  append(leaf: Uint8Array): void {
    let merged: Subtree = { hash: Buffer.from(leaf), height: 0 };
    for (
      let top = this.subtrees.at(-1);
      top?.height === merged.height;
      top = this.subtrees.at(-1)
    ) {
      this.subtrees.pop();
      merged = { hash: nodeHash(top.hash, merged.hash), height: top.height + 1 };
    }
    this.subtrees.push(merged);
    this.leaves += 1;
  }

  /** The root of the tree as it is now. */
  root(): Buffer {
    // Perfect subtrees are in decreasing size, which is exactly the RFC's split rule applied
    // from the left, so folding them from the right gives the same root.
    let acc: Buffer | undefined;
    for (let i = this.subtrees.length - 1; i >= 0; i--) {
      const subtree = this.subtrees[i]!.hash;
      acc = acc === undefined ? subtree : nodeHash(subtree, acc);
    }
    return acc ?? createHash('sha256').digest();
  }
}
