/**
 * Signed, expiring release-request links: HMAC-SHA256 over (id, expiry) with a key derived from the quarantine
 * key (store.deriveSecret('release-link')), so every relay sharing a store verifies every other relay's links.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const LINK_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface LinkSigner {
  /** exp: unix seconds. */
  sign(id: string, now?: Date): { exp: number; sig: string };
  verify(id: string, exp: string | number, sig: string, now?: Date): boolean;
  /** `<base>/request/<id>?exp=…&sig=…` */
  link(baseUrl: string, id: string, now?: Date): string;
}

export function createLinkSigner(secret: Buffer, ttlMs = LINK_TTL_MS): LinkSigner {
  const mac = (id: string, exp: number): string =>
    createHmac('sha256', secret).update(`release-request\n${id}\n${exp}`).digest('base64url');
  const signer: LinkSigner = {
    sign(id, now = new Date()) {
      const exp = Math.floor((now.getTime() + ttlMs) / 1000);
      return { exp, sig: mac(id, exp) };
    },
    verify(id, exp, sig, now = new Date()) {
      const e = typeof exp === 'number' ? exp : /^\d{1,12}$/.test(exp) ? Number(exp) : NaN;
      if (!Number.isFinite(e) || e * 1000 < now.getTime() || typeof sig !== 'string') return false;
      const want = Buffer.from(mac(id, e));
      const got = Buffer.from(sig);
      return got.length === want.length && timingSafeEqual(got, want);
    },
    link(baseUrl, id, now) {
      const { exp, sig } = signer.sign(id, now);
      return `${baseUrl.replace(/\/+$/, '')}/request/${encodeURIComponent(id)}?exp=${exp}&sig=${sig}`;
    },
  };
  return signer;
}
