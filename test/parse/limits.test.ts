import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARSE_LIMITS, parseMessage } from '../../src/parse/index.js';
import { listZip, readEntry } from '../../src/parse/extract/zipdir.js';
import { closeExtractionPool, configureExtractionPool, extractionPoolStats } from '../../src/parse/sandbox/pool.js';
import { compose, makeDocx, makeEncryptedPdf, makePdf, makeXlsx, makeZip, markZipEncrypted } from './fixtures.js';
import { FAULT_WORKER, faultPdf } from './sandbox/faults.js';

describe('limits', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_PARSE_LIMITS).toMatchObject({
      maxDepth: 5,
      maxParts: 1000,
      maxDecompressedBytes: 50 * 1024 * 1024,
      maxZipEntries: 500,
      maxPdfPages: 500,
      timeoutMs: 15000,
    });
  });

  it('reports containers nested beyond maxDepth', async () => {
    const inner = makeZip({ 'list.csv': 'john@example.com' });
    const outer = makeZip({ 'inner.zip': inner, 'top.txt': 'top level text' });
    const p = await parseMessage(await compose({ attachments: [{ filename: 'outer.zip', content: outer }] }), {
      maxDepth: 1,
    });
    expect(p.segments.find((s) => s.source === 'attachment:outer.zip/top.txt')?.text).toBe('top level text');
    expect(p.segments.some((s) => s.location === 'attachment' && s.text.includes('john@example.com'))).toBe(false);
    expect(p.unscannable).toEqual([
      { source: 'attachment:outer.zip/inner.zip', reason: 'depth-limit', detail: 'zip: nesting depth > 1' },
    ]);
  });

  it('stops forwarded-message chains at the default depth', async () => {
    let msg = await compose({ subject: 'level 0', text: 'deepest' });
    for (let i = 1; i <= 7; i++) {
      msg = await compose({
        subject: `level ${i}`,
        text: `t${i}`,
        attachments: [{ filename: `m${i}.eml`, content: msg, contentType: 'message/rfc822' }],
      });
    }
    const p = await parseMessage(msg);
    const depthLimited = p.unscannable.filter((u) => u.reason === 'depth-limit');
    expect(depthLimited).toHaveLength(1);
    expect(depthLimited[0]!.source).toBe('attachment:m7.eml/m6.eml/m5.eml/m4.eml/m3.eml/m2.eml');
    expect(
      p.segments.find((s) => s.source === 'attachment:m7.eml/m6.eml/m5.eml/m4.eml/m3.eml/body:text')?.text,
    ).toContain('t2');
    expect(p.segments.some((s) => s.text.includes('deepest'))).toBe(false);
  });

  it('stops a zip bomb at the decompression budget without inflating it all', async () => {
    const member = new Uint8Array(24 * 1024 * 1024); // 24 MiB of zeros, ~24 KiB compressed
    const bomb = makeZip({ 'zeros.csv': member, 'after.txt': 'after the bomb' }, 9);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const dir = listZip(bomb);
    if (!dir.ok) throw new Error(dir.error);
    const entry = dir.entries.find((e) => e.name === 'zeros.csv')!;
    // Lie about the size in the directory so only the streaming count can catch it.
    const r = readEntry(bomb, { ...entry, size: 10 }, 1024 * 1024);
    expect(r.ok).toBe(false);
    expect(r.produced).toBeGreaterThan(1024 * 1024);
    expect(r.produced).toBeLessThan(member.length); // stopped early

    const p = await parseMessage(await compose({ attachments: [{ filename: 'bomb.zip', content: bomb }] }), {
      maxDecompressedBytes: 1024 * 1024,
    });
    expect(p.unscannable).toContainEqual({
      source: 'attachment:bomb.zip/zeros.csv',
      reason: 'size-limit',
      detail: 'zip: decompressed bytes > limit',
    });
  });

  it('applies the decompression budget to DOCX packages too', async () => {
    const docx = makeDocx(['x'.repeat(2 * 1024 * 1024)]);
    const p = await parseMessage(await compose({ attachments: [{ filename: 'big.docx', content: docx }] }), {
      maxDecompressedBytes: 512 * 1024,
    });
    expect(p.unscannable).toEqual([
      { source: 'attachment:big.docx', reason: 'size-limit', detail: 'docx: decompressed bytes > limit' },
    ]);
  });

  it('reports ZIPs with too many entries', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) files[`f${i}.txt`] = `file ${i}`;
    const p = await parseMessage(await compose({ attachments: [{ filename: 'many.zip', content: makeZip(files) }] }), {
      maxZipEntries: 10,
    });
    expect(p.unscannable).toContainEqual({
      source: 'attachment:many.zip',
      reason: 'part-limit',
      detail: 'zip: 12 entries > 10',
    });
    expect(
      p.segments.filter((s) => s.source.startsWith('attachment:many.zip/') && !s.source.endsWith(':filename')),
    ).toHaveLength(10);
  });

  it('reads PDFs up to the page limit and reports the rest', async () => {
    const pdf = makePdf(['page one', 'page two', 'page three', 'page four', 'page five']);
    const p = await parseMessage(await compose({ attachments: [{ filename: 'long.pdf', content: pdf }] }), {
      maxPdfPages: 3,
    });
    const text = p.segments.find((s) => s.source === 'attachment:long.pdf')!.text;
    expect(text).toContain('page three');
    expect(text).not.toContain('page four');
    expect(p.unscannable).toEqual([
      { source: 'attachment:long.pdf', reason: 'page-limit', detail: 'pdf: 5 pages > 3' },
    ]);
  });

  it('reports broken PDF, DOCX and XLSX as extract-error', async () => {
    const xlsx = await makeXlsx({ S: [['a']] });
    const p = await parseMessage(
      await compose({
        attachments: [
          { filename: 'broken.pdf', content: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage') },
          { filename: 'broken.docx', content: Buffer.from('this is not a docx at all') },
          {
            filename: 'broken.xlsx',
            content: makeZip({ '[Content_Types].xml': '<x', 'xl/workbook.xml': 'garbage<<' }),
          },
          { filename: 'cut.xlsx', content: xlsx.subarray(0, xlsx.length - 200) },
        ],
      }),
    );
    expect(p.unscannable.map((u) => [u.source, u.reason])).toEqual([
      ['attachment:broken.pdf', 'extract-error'],
      ['attachment:broken.docx', 'extract-error'],
      ['attachment:broken.xlsx', 'extract-error'],
      ['attachment:cut.xlsx', 'extract-error'],
    ]);
    expect(p.attachments).toHaveLength(4);
  });

  it('reports encrypted PDFs and ZIPs', async () => {
    const p = await parseMessage(
      await compose({
        attachments: [
          { filename: 'locked.pdf', content: makeEncryptedPdf() },
          { filename: 'locked.zip', content: markZipEncrypted(makeZip({ 'list.csv': 'john@example.com' }, 0)) },
        ],
      }),
    );
    expect(p.unscannable).toEqual([
      { source: 'attachment:locked.pdf', reason: 'encrypted', detail: 'pdf: password protected' },
      { source: 'attachment:locked.zip/list.csv', reason: 'encrypted', detail: 'zip: encrypted member' },
    ]);
  });

  it('reports parts beyond maxParts but still lists them', async () => {
    const attachments = [1, 2, 3, 4].map((i) => ({ filename: `f${i}.txt`, content: `text ${i}` }));
    const p = await parseMessage(await compose({ attachments }), { maxParts: 2 });
    expect(p.attachments).toHaveLength(4);
    expect(
      p.segments.filter((s) => s.location === 'attachment' && !s.source.endsWith(':filename')).map((s) => s.text),
    ).toEqual(['text 1', 'text 2']);
    expect(p.unscannable).toEqual([{ source: 'message', reason: 'part-limit', detail: 'parts > 2' }]);
  });

  it('cuts segments longer than maxSegmentChars and reports it', async () => {
    const p = await parseMessage(await compose({ text: 'a'.repeat(500) }), { maxSegmentChars: 100 });
    expect(p.segments.find((s) => s.source === 'body:text')!.text).toHaveLength(100);
    expect(p.unscannable).toEqual([{ source: 'body:text', reason: 'size-limit', detail: 'text: 501 chars > 100' }]);
  });

  it('decodes no more of a huge text attachment than the segment cap can hold', async () => {
    const csv = 'id,email\n' + 'x'.repeat(5000);
    const p = await parseMessage(await compose({ attachments: [{ filename: 'big.csv', content: csv }] }), {
      maxSegmentChars: 100,
    });
    expect(p.segments.find((s) => s.source === 'attachment:big.csv')!.text).toBe(csv.slice(0, 100));
    expect(p.unscannable).toEqual([
      { source: 'attachment:big.csv', reason: 'size-limit', detail: 'text: 5009 bytes > 400' },
    ]);
  });
});

describe('timeout', () => {
  it('marks what was not done as timeout and returns promptly', async () => {
    // The report's reading never ends (the test-only fault worker blocks on it), so the deadline falls inside it
    // whatever the machine's speed; the deadline itself is generous, so MIME parsing is done long before.
    await configureExtractionPool({ worker: FAULT_WORKER });
    const raw = await compose({
      text: 'body is read first',
      attachments: [
        { filename: 'report.pdf', content: faultPdf('block') },
        { filename: 'after.csv', content: 'john@example.com' },
      ],
    });
    const p = await parseMessage(raw, { timeoutMs: 3000 });
    // promptly: the stuck worker was stopped at the deadline, not waited for
    expect(extractionPoolStats().replaced).toBe(1);
    await closeExtractionPool();
    await configureExtractionPool({ worker: undefined });
    expect(p.segments.find((s) => s.source === 'body:text')?.text).toContain('body is read first');
    expect(p.unscannable).toContainEqual({
      source: 'attachment:report.pdf',
      reason: 'timeout',
      detail: 'time limit reached while reading',
    });
    expect(p.unscannable).toContainEqual({
      source: 'attachment:after.csv',
      reason: 'timeout',
      detail: 'not reached before the time limit',
    });
    expect(p.segments.some((s) => s.source === 'attachment:after.csv')).toBe(false);
  });

  it('reports the whole message when the budget is gone before MIME parsing ends', async () => {
    const p = await parseMessage(await compose({ text: 'x' }), { timeoutMs: 0 });
    expect(p.unscannable).toEqual([
      { source: 'message', reason: 'timeout', detail: 'time limit reached while parsing MIME' },
    ]);
  });
});

describe('robustness', () => {
  it('never throws, whatever the bytes', async () => {
    const base = (
      await compose({
        text: 'hello',
        html: '<p>x</p>',
        attachments: [
          { filename: 'a.zip', content: makeZip({ 'b.txt': 'bbb' }) },
          { filename: 'c.pdf', content: makePdf(['c']) },
        ],
      })
    ).toString('latin1');
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 4000 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 40 }),
        async (junk, flips) => {
          await parseMessage(Buffer.from(junk), { timeoutMs: 2000 });
          const mutated = Buffer.from(base, 'latin1');
          for (const [pos, val] of flips) mutated[pos % mutated.length] = val;
          const p = await parseMessage(mutated, { timeoutMs: 2000 });
          for (const u of p.unscannable) expect(typeof u.detail).toBe('string');
        },
      ),
      { numRuns: 60 },
    );
  });
});
