import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDirectory } from '../../src/directory/index.js';
import { customer, removeDir, tempDir, writeCsv } from './helpers.js';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

function capture(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('embedded store', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await tempDir();
  });
  afterAll(async () => removeDir(tmp));

  it('generates a 0600 secret once, logs that (not the key), persists hashes only and reloads from disk', async () => {
    const dataDir = join(tmp, 'data');
    const rows = Array.from({ length: 50 }, (_, i) => customer(i));
    const file = await writeCsv(tmp, 'c.csv', rows as unknown as Record<string, string>[]);
    const { logger, lines } = capture();
    const dir = await openDirectory({ dataDir, logger });
    await dir.import(file);
    await dir.close();

    const keyFile = join(dataDir, 'directory.key');
    const st = await stat(keyFile);
    expect(st.mode & 0o777).toBe(0o600);
    const key = (await readFile(keyFile, 'utf8')).trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const log = lines.join('');
    expect(log).toContain('generated a new directory secret');
    expect(log).not.toContain(key);

    // No plaintext on disk or in logs: grep every file for planted values.
    const planted = rows.flatMap((r) => [
      r.email.toLowerCase(),
      r.email,
      r.full_name,
      r.imei,
      r.order_id,
      r.phone,
      r.street,
    ]);
    planted.push('person.7@', 'anna', 'müller', 'hauptstr', '4155550007');
    for (const f of await filesUnder(dataDir)) {
      const content = (await readFile(f)).toString('latin1').toLowerCase();
      const utf8 = (await readFile(f)).toString('utf8').toLowerCase();
      for (const p of planted) {
        expect(content.includes(p.toLowerCase()) || utf8.includes(p.toLowerCase()), `${p} in ${f}`).toBe(false);
      }
    }
    for (const p of planted) expect(log.toLowerCase()).not.toContain(p.toLowerCase());

    // Reopen from disk with the generated key: same answers.
    const again = await openDirectory({ dataDir });
    try {
      expect(again.stats().customers).toBe(50);
      expect(again.lookup('email', rows[7]!.email.toLowerCase())).toEqual([rows[7]!.customer_id]);
      expect(again.lookup('imei', rows[9]!.imei)).toEqual([rows[9]!.customer_id]);
      expect([...again.emailDomains()].sort()).toEqual(['example.org', 'gmail.com', 'mail.de']);
      expect((await readFile(keyFile, 'utf8')).trim()).toBe(key);
    } finally {
      await again.close();
    }
    // Only the snapshot itself remains (no temp files).
    expect((await readdir(join(dataDir, 'directory'))).sort()).toEqual(['snapshot.bin']);
  });

  it('refuses a snapshot written with another secret', async () => {
    const dataDir = join(tmp, 'other');
    const file = await writeCsv(tmp, 'one.csv', [customer(1)] as unknown as Record<string, string>[]);
    const dir = await openDirectory({ dataDir, secret: 'first-secret-0123456789' });
    await dir.import(file);
    await dir.close();
    await expect(openDirectory({ dataDir, secret: 'second-secret-0123456789' })).rejects.toMatchObject({
      code: 'EPG_SECRET',
    });
  });

  it('requires a secret with Redis and refuses a corrupt snapshot', async () => {
    await expect(openDirectory({ dataDir: join(tmp, 'r'), redis: 'redis://127.0.0.1:6379' })).rejects.toMatchObject({
      code: 'EPG_SECRET',
    });
    const dataDir = join(tmp, 'corrupt');
    const dir = await openDirectory({ dataDir, secret: 'first-secret-0123456789' });
    await dir.close();
    await writeFile(join(dataDir, 'directory', 'snapshot.bin'), 'garbage');
    await expect(openDirectory({ dataDir, secret: 'first-secret-0123456789' })).rejects.toMatchObject({
      code: 'EPG_DIRECTORY',
    });
  });

  it('a running directory picks up an import made by another process', async () => {
    const dataDir = join(tmp, 'watch');
    const relay = await openDirectory({ dataDir, secret: 'watch-secret-0123456789' });
    const cli = await openDirectory({ dataDir, secret: 'watch-secret-0123456789', follow: false });
    try {
      const c = customer(77);
      await cli.import(await writeCsv(tmp, 'w.csv', [c] as unknown as Record<string, string>[]));
      const email = c.email.toLowerCase();
      const deadline = Date.now() + 5000;
      while (relay.lookup('email', email).length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(relay.lookup('email', email)).toEqual([c.customer_id]);
    } finally {
      await cli.close();
      await relay.close();
    }
  });
});
