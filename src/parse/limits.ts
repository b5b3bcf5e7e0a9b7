/** Resource limits for one message's extraction. Anything beyond them becomes an UnscannablePart. */
export interface ParseLimits {
  /** Nested containers (message/rfc822 and ZIP archives) below the top-level message. */
  maxDepth: number;
  /** Attachments and archive members, all levels together. */
  maxParts: number;
  /** Bytes produced by decompression (ZIP members, DOCX/XLSX packages), all levels together. */
  maxDecompressedBytes: number;
  /** Members listed in one ZIP archive (or DOCX/XLSX package). */
  maxZipEntries: number;
  /** Pages read from one PDF. */
  maxPdfPages: number;
  /** Characters kept in one text segment; the rest is cut and reported as 'size-limit'. */
  maxSegmentChars: number;
  /** Wall-clock budget for the whole extraction. */
  timeoutMs: number;
}

export const DEFAULT_PARSE_LIMITS: Readonly<ParseLimits> = Object.freeze({
  maxDepth: 5,
  maxParts: 1000,
  maxDecompressedBytes: 50 * 1024 * 1024,
  maxZipEntries: 500,
  maxPdfPages: 500,
  maxSegmentChars: 5 * 1024 * 1024,
  timeoutMs: 15_000,
});

/** Defaults overlaid with the given values; non-finite or negative values fall back to the default. */
export function resolveLimits(opts?: Partial<ParseLimits>): ParseLimits {
  const out: ParseLimits = { ...DEFAULT_PARSE_LIMITS };
  if (!opts) return out;
  for (const key of Object.keys(out) as (keyof ParseLimits)[]) {
    const v = opts[key];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[key] = v;
  }
  return out;
}
