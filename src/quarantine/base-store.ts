/**
 * What both backends share: encryption, the compare-and-set retry loop behind transition()/note(), listing and
 * purge. A backend supplies only storage primitives.
 */
import type { Logger } from 'pino';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import type { InboundMessage, Verdict } from '../core/types.js';
import { deriveSecret, seal, unseal } from './crypto.js';
import {
  aadRaw,
  applyTransition,
  checkId,
  emptyCounts,
  isFinal,
  isStuckReleasing,
  matchesFilter,
  newStoredRecord,
  notFound,
  openRecord,
  releaseStartedAt,
  retentionMs,
  type StoredRecord,
} from './record.js';
import type {
  HistoryEntry,
  HoldExtra,
  ListFilter,
  QuarantineRecord,
  QuarantineStatus,
  QuarantineStore,
  TransitionObserver,
  TransitionRequest,
} from './types.js';

const CAS_ATTEMPTS = 50;

/** Default for `quarantine.releasingTimeout`: well above one delivery attempt (upstreamTimeout 30 s per reply). */
export const DEFAULT_RELEASING_TIMEOUT_MS = 300_000;

export abstract class BaseStore implements QuarantineStore {
  abstract readonly backend: 'file' | 'redis';
  private readonly transitionObservers: TransitionObserver[] = [];

  constructor(
    protected readonly key: Buffer,
    protected readonly retentionDays: number,
    protected readonly logger?: Logger,
    readonly releasingTimeoutMs: number = DEFAULT_RELEASING_TIMEOUT_MS,
  ) {}

  /** Stores a new record and its sealed body durably; throws QUARANTINE_STORE when the id exists. */
  protected abstract insert(stored: StoredRecord, sealedRaw: Buffer): Promise<void>;
  protected abstract readStored(id: string): Promise<StoredRecord | null>;
  protected abstract readSealedRaw(id: string): Promise<Buffer | null>;
  /** Writes `next` only if the stored version still equals `prev.version`; drops the body when asked. */
  protected abstract compareAndSet(prev: StoredRecord, next: StoredRecord, dropBody: boolean): Promise<boolean>;
  protected abstract allStored(): Promise<StoredRecord[]>;
  protected abstract remove(id: string): Promise<void>;
  abstract close(): Promise<void>;

  async hold(message: InboundMessage, verdict: Verdict, extra?: HoldExtra): Promise<QuarantineRecord> {
    const stored = newStoredRecord(this.key, message, verdict, extra, this.retentionDays, new Date());
    const sealedRaw = seal(this.key, aadRaw(stored.id), message.raw);
    await this.insert(stored, sealedRaw);
    this.logger?.info(
      { id: stored.id, rules: stored.verdict.rules, size: stored.size, backend: this.backend },
      'message quarantined',
    );
    return openRecord(this.key, stored);
  }

  async get(id: string): Promise<QuarantineRecord> {
    const stored = await this.readStored(checkId(id));
    if (!stored) throw notFound(id);
    return openRecord(this.key, stored);
  }

  async getRaw(id: string): Promise<Buffer> {
    const sealed = await this.readSealedRaw(checkId(id));
    if (!sealed) throw notFound(id);
    return unseal(this.key, aadRaw(id), sealed);
  }

  async list(filter: ListFilter = {}): Promise<QuarantineRecord[]> {
    const all = (await this.allStored()).sort((a, b) => b.heldAt.localeCompare(a.heldAt) || b.id.localeCompare(a.id));
    const out: QuarantineRecord[] = [];
    for (const s of all) {
      if (filter.status && s.status !== filter.status) continue; // cheap test before decrypting
      const rec = openRecord(this.key, s);
      if (!matchesFilter(rec, filter)) continue;
      out.push(rec);
      if (filter.limit && out.length >= filter.limit) break;
    }
    return out;
  }

  transition(id: string, req: TransitionRequest): Promise<QuarantineRecord> {
    return this.update(id, (s, now) => applyTransition(s, req, now));
  }

  note(id: string, entry: Omit<HistoryEntry, 'at'>): Promise<QuarantineRecord> {
    return this.update(id, (s, now) => applyTransition(s, { entry }, now));
  }

  onTransition(observer: TransitionObserver): void {
    this.transitionObservers.push(observer);
  }

  recoverRelease(id: string, entry: Omit<HistoryEntry, 'at'>): Promise<QuarantineRecord> {
    return this.update(id, (s, now) => {
      this.requireStuck(s, now);
      return applyTransition(s, { from: ['releasing'], to: 'held', entry }, now);
    });
  }

  async stuckReleases(now: Date = new Date()): Promise<QuarantineRecord[]> {
    const stuck = (await this.allStored()).filter((s) => isStuckReleasing(s, this.releasingTimeoutMs, now));
    return stuck.map((s) => openRecord(this.key, s));
  }

  /** Throws QUARANTINE_STATE unless `s` has been releasing for at least the releasing timeout. */
  private requireStuck(s: StoredRecord, now: Date): void {
    const started = releaseStartedAt(s);
    if (started === undefined) {
      throw new PostguardError(
        ErrorCodes.QUARANTINE_STATE,
        `message ${s.id} is ${s.status}, not releasing: nothing to recover`,
        { details: { id: s.id, status: s.status } },
      );
    }
    if (!isStuckReleasing(s, this.releasingTimeoutMs, now)) {
      const age = Math.round((now.getTime() - started) / 1000);
      throw new PostguardError(
        ErrorCodes.QUARANTINE_STATE,
        `the release of ${s.id} started ${age} s ago, within quarantine.releasingTimeout (${Math.round(this.releasingTimeoutMs / 1000)} s): it may still be in progress`,
        { details: { id: s.id, status: s.status } },
      );
    }
  }

  private async update(id: string, change: (s: StoredRecord, now: Date) => StoredRecord): Promise<QuarantineRecord> {
    checkId(id);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const prev = await this.readStored(id);
      if (!prev) throw notFound(id);
      const next = change(prev, new Date()); // throws QUARANTINE_STATE when the current status does not allow it
      const dropBody = next.status !== prev.status && (next.status === 'deleted' || next.status === 'expired');
      if (await this.compareAndSet(prev, next, dropBody)) {
        this.logger?.info(
          { id, from: prev.status, to: next.status, actor: next.history.at(-1)?.actor },
          'quarantine record updated',
        );
        const record = openRecord(this.key, next);
        for (const observe of this.transitionObservers) {
          await Promise.resolve(observe(record, next.history.at(-1)!)).catch((err: Error) =>
            this.logger?.warn({ id, err: err.message }, 'transition observer failed'),
          );
        }
        return record;
      }
    }
    throw new PostguardError(ErrorCodes.QUARANTINE_STORE, `too much contention updating ${id}`, { details: { id } });
  }

  async purge(now: Date = new Date()): Promise<{ expired: number; removed: number }> {
    let expired = 0;
    let removed = 0;
    const keep = retentionMs(this.retentionDays);
    for (const s of await this.allStored()) {
      const exp = Date.parse(s.expiresAt);
      if (exp + keep <= now.getTime() && isFinal(s.status)) {
        await this.remove(s.id);
        removed++;
      } else if (
        exp <= now.getTime() &&
        !isFinal(s.status) &&
        (s.status !== 'releasing' || isStuckReleasing(s, this.releasingTimeoutMs, now))
      ) {
        // A release in progress is left alone; one interrupted by a crash (releasing past the timeout) expires
        // like a held message, re-checked on the stored record.
        const entry = { actor: 'system', action: 'expired', reason: `retention of ${this.retentionDays} days reached` };
        try {
          await this.update(s.id, (cur, at) => {
            if (cur.status === 'releasing') this.requireStuck(cur, now);
            return applyTransition(cur, { from: ['held', 'release-requested', 'releasing'], to: 'expired', entry }, at);
          });
          expired++;
        } catch (err) {
          if (!(err instanceof PostguardError) || err.code === ErrorCodes.QUARANTINE_STORE) throw err;
          // someone released or deleted it meanwhile: fine
        }
      }
    }
    if (expired || removed) this.logger?.info({ expired, removed }, 'quarantine purged');
    return { expired, removed };
  }

  async counts(): Promise<Record<QuarantineStatus, number>> {
    const c = emptyCounts();
    for (const s of await this.allStored()) c[s.status]++;
    return c;
  }

  deriveSecret(purpose: string): Buffer {
    return deriveSecret(this.key, purpose);
  }
}
