import type {
  AttachmentInfo,
  SegmentLocation,
  TextSegment,
  UnscannablePart,
  UnscannableReason,
} from '../core/types.js';
import type { ParseLimits } from './limits.js';

/** Raised inside extraction when the message's time budget is used up. */
export class ExtractTimeout extends Error {
  constructor(message = 'extraction time budget exceeded') {
    super(message);
    this.name = 'ExtractTimeout';
  }
}

/**
 * A timeout caused by load, not by the part: it waited for a free extraction worker for at least half of the time
 * it had. The message is answered 451 (the client tries again later), not held for review.
 */
export class ExtractBusy extends ExtractTimeout {
  constructor() {
    super('extraction workers busy with other messages');
    this.name = 'ExtractBusy';
  }
}

export type SegmentInput = Omit<TextSegment, 'index'>;

/** Everything one message's extraction accumulates, and the budgets it draws on. Shared by nested parts. */
export class ExtractContext {
  readonly limits: ParseLimits;
  readonly deadline: number;
  readonly segments: TextSegment[] = [];
  readonly unscannable: UnscannablePart[] = [];
  readonly attachments: AttachmentInfo[] = [];
  private decompressed = 0;
  private parts = 0;
  private partLimitReported = false;
  private readonly seenUrls = new Set<string>();
  /** Set once the overall deadline fired; later results are dropped. */
  closed = false;

  constructor(limits: ParseLimits, now = Date.now()) {
    this.limits = limits;
    this.deadline = now + limits.timeoutMs;
  }

  remainingMs(): number {
    return this.deadline - Date.now();
  }

  expired(): boolean {
    return this.closed || Date.now() >= this.deadline;
  }

  /** Throws ExtractTimeout when the budget is used up (checked between pages, members, parts). */
  checkTime(): void {
    if (this.expired()) throw new ExtractTimeout();
  }

  /** Waits for `p`, but no longer than the remaining budget. */
  async race<T>(p: Promise<T>): Promise<T> {
    const ms = this.remainingMs();
    if (ms <= 0 || this.closed) {
      p.catch(() => undefined);
      throw new ExtractTimeout();
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ExtractTimeout()), ms);
    });
    try {
      return await Promise.race([p, timeout]);
    } finally {
      clearTimeout(timer);
      p.catch(() => undefined);
    }
  }

  addSegment(seg: SegmentInput): void {
    if (this.closed || !/\S/.test(seg.text)) return;
    let text = seg.text;
    if (text.length > this.limits.maxSegmentChars) {
      this.addUnscannable(seg.source, 'size-limit', `text: ${text.length} chars > ${this.limits.maxSegmentChars}`);
      text = text.slice(0, this.limits.maxSegmentChars);
    }
    this.segments.push({ ...seg, text, index: this.segments.length });
  }

  addText(location: SegmentLocation, source: string, text: string): void {
    this.addSegment({ location, source, text });
  }

  /** Records a part that could not be (fully) read; one entry per source and reason. */
  addUnscannable(source: string, reason: UnscannableReason, detail: string): void {
    if (this.closed || this.unscannable.some((u) => u.source === source && u.reason === reason)) return;
    this.unscannable.push({ source, reason, detail });
  }

  /**
   * Bytes of a textual part worth decoding: beyond 4 bytes per allowed character the text would be cut anyway,
   * so the rest is not decoded (and reported as 'size-limit').
   */
  capTextBytes(source: string, bytes: Uint8Array): Uint8Array {
    const max = this.limits.maxSegmentChars * 4;
    if (bytes.length <= max) return bytes;
    this.addUnscannable(source, 'size-limit', `text: ${bytes.length} bytes > ${max}`);
    return bytes.subarray(0, max);
  }

  addAttachment(info: AttachmentInfo): void {
    if (!this.closed) this.attachments.push(info);
  }

  /** Counts one more part; false (and one 'part-limit' report) once maxParts is reached. */
  takePart(source: string): boolean {
    if (this.parts >= this.limits.maxParts) {
      if (!this.partLimitReported) {
        this.partLimitReported = true;
        this.addUnscannable(source, 'part-limit', `parts > ${this.limits.maxParts}`);
      }
      return false;
    }
    this.parts++;
    return true;
  }

  /** Decompressed bytes still allowed for this message. */
  decompressBudget(): number {
    return Math.max(0, this.limits.maxDecompressedBytes - this.decompressed);
  }

  chargeDecompressed(n: number): void {
    this.decompressed += n;
  }

  /** Decompressed bytes charged so far (may exceed the limit by the part that overran it). */
  decompressedBytes(): number {
    return this.decompressed;
  }

  /** True the first time a URL is seen in this message (links are deduplicated). */
  firstUrl(url: string): boolean {
    if (this.seenUrls.has(url)) return false;
    this.seenUrls.add(url);
    return true;
  }
}
