/** Picks the upstream implementation for a configured `upstream` value. */
import { resolve } from 'node:path';
import type { Config } from '../config/load.js';
import { OutboxUpstream } from './outbox-upstream.js';
import { SmtpUpstream } from './smtp-upstream.js';
import type { Upstream } from './types.js';

export type { Upstream, DeliveryResult } from './types.js';

export function createUpstream(
  config: Pick<
    Config,
    | 'upstream'
    | 'upstreamUser'
    | 'upstreamPassword'
    | 'upstreamStartTls'
    | 'upstreamTlsVerify'
    | 'upstreamPool'
    | 'upstreamTimeout'
    | 'upstreamMaxRequeues'
    | 'hostname'
  >,
): Upstream {
  if (config.upstream.startsWith('dir:')) return new OutboxUpstream(resolve(config.upstream.slice(4)));
  return new SmtpUpstream({
    url: config.upstream,
    user: config.upstreamUser,
    password: config.upstreamPassword,
    startTls: config.upstreamStartTls,
    tlsVerify: config.upstreamTlsVerify,
    pool: config.upstreamPool,
    timeoutMs: config.upstreamTimeout,
    maxRequeues: config.upstreamMaxRequeues,
    hostname: config.hostname,
  });
}

/** Upstream URL without credentials, for logs. */
export function describeUpstream(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}
