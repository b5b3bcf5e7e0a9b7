import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ErrorCodes } from '../../src/core/errors.js';

describe('admin.trustedProxies', () => {
  it('is empty by default and takes addresses and CIDRs from the environment', () => {
    expect(loadConfig({ env: {} }).admin.trustedProxies).toEqual([]);
    const c = loadConfig({ env: { POSTGUARD_ADMIN_TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.7, ::1, fd00::/8' } });
    expect(c.admin.trustedProxies).toEqual(['10.0.0.0/8', '192.0.2.7', '::1', 'fd00::/8']);
  });

  it('names the key for a value that is not an address or network', () => {
    for (const bad of ['proxy.example', '10.0.0.0/33', '10.0.0.0/8/1', '::1/129']) {
      let err: unknown;
      try {
        loadConfig({ env: { POSTGUARD_ADMIN_TRUSTED_PROXIES: bad } });
      } catch (e) {
        err = e;
      }
      expect(err, bad).toMatchObject({ code: ErrorCodes.CONFIG_INVALID });
      expect(String((err as Error).message)).toContain('admin.trustedProxies');
    }
  });
});
