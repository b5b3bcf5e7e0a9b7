/** Trusted client networks (CIDR list) using node's BlockList, IPv4-mapped IPv6 handled. */
import { BlockList, isIP } from 'node:net';
import { ErrorCodes, PostguardError } from '../core/errors.js';

export class NetworkList {
  private readonly list = new BlockList();
  readonly cidrs: readonly string[];

  constructor(cidrs: readonly string[]) {
    this.cidrs = cidrs;
    for (const cidr of cidrs) {
      const [addr, bitsRaw] = cidr.split('/');
      const family = isIP(addr ?? '');
      if (!family)
        throw new PostguardError(
          ErrorCodes.CONFIG_INVALID,
          `config key "trustedNetworks": "${cidr}" is not an IP network`,
        );
      const type = family === 6 ? 'ipv6' : 'ipv4';
      const bits = bitsRaw === undefined ? (family === 6 ? 128 : 32) : Number(bitsRaw);
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) {
        throw new PostguardError(
          ErrorCodes.CONFIG_INVALID,
          `config key "trustedNetworks": "${cidr}" has a bad prefix length`,
        );
      }
      this.list.addSubnet(addr!, bits, type);
    }
  }

  contains(address: string): boolean {
    let a = address;
    if (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4) a = a.slice(7);
    const family = isIP(a);
    if (!family) return false;
    return this.list.check(a, family === 6 ? 'ipv6' : 'ipv4');
  }
}
