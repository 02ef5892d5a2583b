import { describe, expect, it } from 'vitest';
import { compileCidr, parseIp } from './ip-cidr.js';

function inBlock(cidr: string, address: string): boolean | undefined {
  const contains = compileCidr(cidr);
  const ip = parseIp(address);
  return contains === undefined || ip === undefined ? undefined : contains(ip);
}

describe('CIDR blocks', () => {
  it.each([
    ['203.0.113.0/24', '203.0.113.77', true],
    ['203.0.113.0/24', '203.0.114.1', false],
    ['10.0.0.1', '10.0.0.1', true], // no prefix: /32
    ['10.0.0.1', '10.0.0.2', false],
    ['203.0.113.5/24', '203.0.113.200', true], // host bits in the policy value are ignored
    ['0.0.0.0/0', '198.51.100.1', true],
    ['2001:DB8:1234:5678::/64', '2001:db8:1234:5678:abcd::1', true],
    ['2001:DB8:1234:5678::/64', '2001:db8:1234:5679::1', false],
    ['2001:db8::1', '2001:db8:0:0:0:0:0:1', true], // no prefix: /128
    ['::/0', '2001:db8::1', true],
    ['203.0.113.0/24', '::ffff:203.0.113.5', true], // IPv4-mapped IPv6 is the IPv4 address
    ['::/0', '203.0.113.5', false], // families never mix
    ['0.0.0.0/0', '2001:db8::1', false],
  ])('%s contains %s: %s', (cidr, address, expected) => {
    expect(inBlock(cidr, address)).toBe(expected);
  });

  it.each([
    '300.1.1.1/8',
    '10.0.0.0/33',
    '2001:db8::/129',
    '10.0.0/8',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    'x',
  ])('refuses the malformed block %s', (cidr) => {
    expect(compileCidr(cidr)).toBeUndefined();
  });

  it.each(['256.0.0.1', '10.0.0', 'fe80::1%eth0', '', 'localhost'])(
    'refuses the malformed address %j',
    (address) => {
      expect(parseIp(address)).toBeUndefined();
    },
  );
});
