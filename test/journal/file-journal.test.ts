import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal } from '../../src/journal/journal.js';
import { entry, journalContract } from './contract.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'pg-journal-'));
  dirs.push(d);
  return d;
}

describe('file journal', () => {
  journalContract(() => openJournal({ dataDir: tmp() }));

  it('writes one JSON Lines file per UTC day, 0600 in a 0700 folder, with no plaintext beyond masked recipients', async () => {
    const dataDir = tmp();
    const j = await openJournal({ dataDir });
    await j.append(entry({ ref: 'A', event: 'verdict', time: '2026-03-01T23:59:59.000Z' }));
    await j.append(entry({ ref: 'A', event: 'held', time: '2026-03-02T00:00:01.000Z' }));
    await j.close();
    const dir = join(dataDir, 'journal');
    expect(readdirSync(dir).sort()).toEqual(['2026-03-01.jsonl', '2026-03-02.jsonl']);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    const line = JSON.parse(readFileSync(join(dir, '2026-03-01.jsonl'), 'utf8').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ ref: 'A', event: 'verdict', recipients: ['m•••@gmail.com'] });
  });

  it('skips a torn line left by a crash and appends after it on a line of its own', async () => {
    const dataDir = tmp();
    const j = await openJournal({ dataDir });
    const time = new Date().toISOString();
    await j.append(entry({ ref: 'BEFORE', event: 'verdict', time }));
    await j.close();
    const file = join(dataDir, 'journal', `${time.slice(0, 10)}.jsonl`);
    appendFileSync(file, '{"ref":"TORN","ev');
    const j2 = await openJournal({ dataDir });
    await j2.append(entry({ ref: 'AFTER', event: 'verdict', time }));
    expect((await j2.entries()).map((e) => e.ref)).toEqual(['BEFORE', 'AFTER']);
    await j2.close();
  });

  it('rejects the append (EPG_JOURNAL) when the day file cannot be written', async () => {
    const dataDir = tmp();
    const j = await openJournal({ dataDir });
    const time = new Date().toISOString();
    // a directory where the day file should be: open() fails for real
    rmSync(join(dataDir, 'journal'), { recursive: true });
    writeFileSync(join(dataDir, 'journal'), 'not a folder');
    await expect(j.append(entry({ ref: 'X', event: 'verdict', time }))).rejects.toMatchObject({ code: 'EPG_JOURNAL' });
    await j.close();
  });
});
