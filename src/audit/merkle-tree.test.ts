import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { leafHash, merkleRoot, MerkleFrontier, nodeHash } from './merkle-tree.js';

// The RFC 6962 reference tree used by Certificate Transparency's own tests
// (certificate-transparency merkle_tree_test, transparency-dev/merkle testdata): eight leaf
// entries and the root of the tree over the first n of them.
const ENTRIES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((hex) => Buffer.from(hex, 'hex'));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const LEAVES = ENTRIES.map(leafHash);

describe('RFC 6962 Merkle tree', () => {
  it('prefixes leaves with 0x00 and nodes with 0x01', () => {
    const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
    const [a, b] = [Buffer.from('a'), Buffer.from('b')];
    expect(leafHash(a)).toEqual(sha(Buffer.from([0]), a));
    expect(nodeHash(a, b)).toEqual(sha(Buffer.from([1]), a, b));
  });

  it('matches the reference root for every size 0..8, recursively and incrementally', () => {
    const frontier = new MerkleFrontier();
    expect(frontier.root().toString('hex')).toBe(ROOTS[0]);
    for (let n = 1; n <= LEAVES.length; n++) {
      frontier.append(LEAVES[n - 1]!);
      expect(merkleRoot(LEAVES.slice(0, n)).toString('hex'), `size ${n}`).toBe(ROOTS[n]);
      expect(frontier.root().toString('hex'), `frontier size ${n}`).toBe(ROOTS[n]);
      expect(frontier.size).toBe(n);
    }
  });

  it('splits a non-power-of-two tree at the largest power of two below its size', () => {
    const [l0, l1, l2, l3, l4] = LEAVES as [Buffer, Buffer, Buffer, Buffer, Buffer];
    // Five leaves: ((0 1)(2 3)) on the left, leaf 4 alone on the right, not paired with itself.
    const expected = nodeHash(nodeHash(nodeHash(l0, l1), nodeHash(l2, l3)), l4);
    expect(merkleRoot([l0, l1, l2, l3, l4])).toEqual(expected);
  });

  it('keeps the incremental root equal to the recursive one up to 300 leaves', () => {
    const leaves = Array.from({ length: 300 }, (_, i) => leafHash(Buffer.from(`record ${i}`)));
    const frontier = new MerkleFrontier();
    leaves.forEach((leaf, i) => {
      frontier.append(leaf);
      if (i % 7 === 0 || i > 250) {
        expect(frontier.root(), `size ${i + 1}`).toEqual(merkleRoot(leaves.slice(0, i + 1)));
      }
    });
  });

  it('changes the root when any one leaf changes', () => {
    const root = merkleRoot(LEAVES);
    for (let i = 0; i < LEAVES.length; i++) {
      const changed = LEAVES.map((leaf, j) => (j === i ? leafHash(Buffer.from('x')) : leaf));
      expect(merkleRoot(changed).equals(root)).toBe(false);
    }
  });
});
