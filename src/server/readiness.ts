/**
 * /readyz checks shared by the single-process server and the cluster primary. The quarantine check writes: a
 * store that can be read but not written (read-only or immutable folder, full disk) would otherwise report ready
 * while every held message gets 451.
 */
import { unlink } from 'node:fs/promises';
import { writeFileSynced } from '../core/durable-file.js';
import { join } from 'node:path';
import type { Upstream } from '../deliver/types.js';
import type { QuarantineStore } from '../quarantine/index.js';

export async function quarantineWritable(store: QuarantineStore, dataDir: string, shared: boolean): Promise<boolean> {
  try {
    await store.counts();
    if (shared) return true; // Redis: the read above goes to the same server the writes go to
    const probe = join(dataDir, 'quarantine', `.ready-probe-${process.pid}`);
    await writeFileSynced(probe, 'ok');
    await unlink(probe);
    return true;
  } catch {
    return false;
  }
}

export async function readiness(
  upstream: Upstream,
  store: QuarantineStore,
  dataDir: string,
  shared: boolean,
): Promise<Record<string, boolean>> {
  const [up, st] = await Promise.all([upstream.check(), quarantineWritable(store, dataDir, shared)]);
  return { upstream: up, store: st };
}
