/**
 * IPv4 and IPv6 addresses and CIDR blocks for the IpAddress / NotIpAddress operators. AWS: the
 * value is "standard CIDR format (for example, 203.0.113.0/24 or 2001:DB8:1234:5678::/64)", and
 * an address without a prefix length means /32 (we take /128 for IPv6).
 */

export interface IpValue {
  readonly family: 4 | 6;
  readonly value: bigint;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;
const IPV4_MAPPED_PREFIX = 0xffffn << 32n;

function parseIpv4(text: string): bigint | undefined {
  const match = IPV4.exec(text);
  if (match === null) return undefined;
  let value = 0n;
  for (const octet of match.slice(1)) {
    const n = Number(octet);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseGroups(text: string): bigint[] | undefined {
  if (text === '') return [];
  const groups: bigint[] = [];
  const pieces = text.split(':');
  for (const [index, piece] of pieces.entries()) {
    // The last piece may be a dotted IPv4 address (`::ffff:192.0.2.1`): two groups.
    const ipv4 = index === pieces.length - 1 ? parseIpv4(piece) : undefined;
    if (ipv4 !== undefined) groups.push(ipv4 >> 16n, ipv4 & 0xffffn);
    else if (HEX_GROUP.test(piece)) groups.push(BigInt(`0x${piece}`));
    else return undefined;
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<bigint>(missing).fill(0n), ...tail];
  return groups.reduce((value, group) => (value << 16n) | group, 0n);
}

/** Parses an address; an IPv4-mapped IPv6 address is read as the IPv4 address it carries. */
export function parseIp(text: string): IpValue | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  if (!text.includes(':')) return undefined;
  const v6 = parseIpv6(text);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === IPV4_MAPPED_PREFIX >> 32n) return { family: 4, value: v6 & 0xffffffffn };
  return { family: 6, value: v6 };
}

/** Compiles `203.0.113.0/24`, `2001:db8::/32` or a bare address; undefined if malformed. */
export function compileCidr(text: string): ((address: IpValue) => boolean) | undefined {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
  const ip = address.includes(':')
    ? mapNetwork(parseIpv6(address), 6)
    : mapNetwork(parseIpv4(address), 4);
  if (ip === undefined) return undefined;
  const bits = ip.family === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return undefined;
  const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
  // Host bits in the policy value are ignored: 203.0.113.5/24 is the block 203.0.113.0/24.
  const network = ip.value & mask;
  return (candidate) => candidate.family === ip.family && (candidate.value & mask) === network;
}

function mapNetwork(value: bigint | undefined, family: 4 | 6): IpValue | undefined {
  return value === undefined ? undefined : { family, value };
}
