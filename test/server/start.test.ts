/**
 * The composed server (`serve`): directory + policies + quarantine + notices + console, embedded and on a shared
 * Redis, over real SMTP and HTTP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { AccountStore } from '../../src/admin/accounts.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { sendRaw } from '../helpers/smtp-client.js';
import { message } from '../helpers/relay.js';
import pino from 'pino';
import { ErrorCodes, type PostguardError } from '../../src/core/errors.js';
import { normalizeValue, openDirectory } from '../../src/directory/index.js';
import { readSnapshotHeader } from '../../src/directory/snapshot.js';
import { KEY_FORMAT } from '../../src/directory/key-format.js';
import { withKeyFormat } from '../directory/helpers.js';

const CSV = [
  'customer_id,full_name,email,phone,street,city,postal_code,country,imei,order_id',
  'C001,Maria Gonzalez,maria.gonzalez@gmail.com,+1 415 555 0171,12 Market Street,San Francisco,94105,US,356938035643809,ORD-100234',
  'C002,Jürgen Müller,juergen.mueller@web.de,030 1234567,Hauptstraße 5,Berlin,10115,DE,490154203237518,ORD-100235',
].join('\n');

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'pg-start-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function server(flags: Record<string, unknown>): Promise<{ s: RunningServer; config: Config }> {
  const config = loadConfig({
    flags: {
      listen: '127.0.0.1:0',
      adminListen: '127.0.0.1:0',
      hostname: 'relay.test',
      internalDomains: ['support.example'],
      'notify.senderBatch': '0',
      ...flags,
    },
    env: {},
  });
  const s = await startServer(config, silentLogger);
  cleanups.push(() => s.close());
  return { s, config };
}

async function apiToken(dataDir: string): Promise<string> {
  const accounts = AccountStore.forDataDir(dataDir);
  await accounts.add('ops', 'releaser', 'a long enough password');
  return accounts.createToken('ops');
}

describe('serve, embedded store', () => {
  it('delivers own data, holds foreign data durably, notifies the sender, and releases once from the API', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'customers.csv'), CSV);
    const sink: Sink = await startSink();
    cleanups.push(() => sink.close());
    const { s } = await server({
      dataDir: join(dir, 'data'),
      upstream: sink.url,
      directory: [join(dir, 'customers.csv')],
    });
    const port = s.relay.address.port;

    const own = await sendRaw(port, {
      from: 'agent@support.example',
      to: ['maria.gonzalez@gmail.com'],
      body: message({
        to: 'maria.gonzalez@gmail.com',
        subject: 'Your order ORD-100234',
        body: 'Hi Maria, order ORD-100234 ships to 12 Market Street, San Francisco 94105.',
      }),
    });
    expect(own.code).toBe(250);
    expect(own.text).toMatch(/queued as/);

    const leak = await sendRaw(port, {
      from: 'agent@support.example',
      to: ['maria.gonzalez@gmail.com'],
      body: message({ to: 'maria.gonzalez@gmail.com', body: 'Hi Maria, the IMEI on file is 4901 5420 3237 518.' }),
    });
    expect(leak.code).toBe(250);
    expect(leak.text).toMatch(/held for review, ref ([0-9A-Z]{22})/);
    const id = /ref ([0-9A-Z]{22})/.exec(leak.text)![1]!;

    // held: in the store, encrypted on disk; the sender got a notice; only the own-data mail reached the upstream
    const rec = await s.quarantine.get(id);
    expect(rec.status).toBe('held');
    expect(rec.verdict.rules).toContain('foreign-data');
    const qdir = join(dir, 'data', 'quarantine');
    const onDisk = readdirSync(qdir, { recursive: true })
      .map((f) => String(f))
      .filter((f) => !f.endsWith('/'));
    for (const f of onDisk) {
      try {
        expect(readFileSync(join(qdir, f)).toString('latin1')).not.toContain('4901 5420');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
      }
    }
    const msgs = await sink.waitFor(2);
    const notice = msgs.find((m) => m.rcptTo.includes('agent@support.example'))!;
    expect(notice.raw.toString()).toContain(id);
    expect(notice.raw.toString()).not.toContain('4901 5420');
    expect(msgs.filter((m) => m.rcptTo.includes('maria.gonzalez@gmail.com')).length).toBe(1);

    // release through the admin API, twice at once: one delivery
    const token = await apiToken(join(dir, 'data'));
    const release = () =>
      fetch(`${s.admin!.url}/api/messages/${id}/release`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'customer asked for it' }),
      });
    const [a, b] = await Promise.all([release(), release()]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    await sink.waitFor(3);
    // every release has returned, and a release returns after the upstream's answer: nothing more can arrive
    expect(sink.messages.filter((m) => m.rcptTo.includes('maria.gonzalez@gmail.com')).length).toBe(2);
    expect((await s.quarantine.get(id)).status).toBe('released');
    const ready = await fetch(`${s.admin!.url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('refuses to start with a broken policy folder, naming file and line', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nrules:\n  - id: x\n    action: explode\n');
    const config = loadConfig({
      flags: { listen: '127.0.0.1:0', adminListen: '', dataDir: join(dir, 'data'), policies: dir },
      env: {},
    });
    await expect(startServer(config, silentLogger)).rejects.toThrow(/bad\.yaml:\d+/);
  });
});

describe('serve, two relays sharing one Redis', () => {
  it('a directory imported through relay A is used by relay B; held on A, released through B, delivered once', async () => {
    const prefix = `pgtest:${randomBytes(6).toString('hex')}:`;
    const redisUrl = 'redis://127.0.0.1:6379';
    cleanups.push(async () => {
      const r = new Redis(redisUrl);
      const keys = await r.keys(`*${prefix}*`);
      if (keys.length) await r.del(...keys);
      await r.quit();
    });
    const dir = tmp();
    writeFileSync(join(dir, 'customers.csv'), CSV);
    const sink = await startSink();
    cleanups.push(() => sink.close());
    const shared = {
      redis: redisUrl,
      redisPrefix: prefix,
      directorySecret: randomBytes(32).toString('hex'),
      quarantineKey: randomBytes(32).toString('hex'),
      upstream: sink.url,
    };
    const A = await server({ ...shared, dataDir: join(dir, 'a'), directory: [join(dir, 'customers.csv')] });
    const B = await server({ ...shared, dataDir: join(dir, 'b') });
    expect(B.s.directory.stats().customers).toBe(2);

    // B knows the customers A imported: Jürgen's phone to Maria is foreign data
    const r = await sendRaw(B.s.relay.address.port, {
      from: 'agent@support.example',
      to: ['maria.gonzalez@gmail.com'],
      body: message({ body: 'Please call Jürgen on 030 1234567.' }),
    });
    expect(r.text).toMatch(/held for review/);
    const held = await sendRaw(A.s.relay.address.port, {
      from: 'agent@support.example',
      to: ['someone@gmial.com'],
      body: message({ body: 'hello' }),
    });
    const id = /ref ([0-9A-Z]{22})/.exec(held.text)![1]!;
    const token = await apiToken(join(dir, 'b'));
    const res = await fetch(`${B.s.admin!.url}/api/messages/${id}/release`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'typo confirmed with the agent', to: ['someone@gmail.com'] }),
    });
    expect(res.status).toBe(200);
    const again = await fetch(`${B.s.admin!.url}/api/messages/${id}/release`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'again' }),
    });
    expect(again.status).toBe(409);
    // every release has returned, and a release returns after the upstream's answer: nothing more can arrive
    const delivered = sink.messages.filter((m) => m.rcptTo.includes('someone@gmail.com'));
    expect(delivered.length).toBe(1);
    expect((await A.s.quarantine.get(id)).status).toBe('released');
  });
});

describe('serve over a directory imported by an older release (key format)', () => {
  async function oldDataDir(): Promise<{ dir: string; dataDir: string; snapshot: string }> {
    const dir = tmp();
    const dataDir = join(dir, 'data');
    // the old directory also holds a customer the current export no longer has
    writeFileSync(join(dir, 'old.csv'), `${CSV}\nC003,Old Customer,old.customer@example.net,,,,,US,,ORD-100999`);
    const d = await openDirectory({ dataDir, follow: false });
    await d.import(join(dir, 'old.csv'), { mode: 'replace' });
    await d.close();
    const snapshot = join(dataDir, 'directory', 'snapshot.bin');
    writeFileSync(snapshot, withKeyFormat(readFileSync(snapshot)));
    writeFileSync(join(dir, 'customers.csv'), CSV);
    return { dir, dataDir, snapshot };
  }

  it('refuses to start without a directory file to import, naming the file and the command', async () => {
    const { dataDir, snapshot } = await oldDataDir();
    const config = loadConfig({
      flags: { listen: '127.0.0.1:0', adminListen: '', hostname: 'relay.test', dataDir },
      env: {},
    });
    const err = await startServer(config, silentLogger).then(
      (s) => {
        cleanups.push(() => s.close());
        throw new Error('started');
      },
      (e: unknown) => e as PostguardError,
    );
    expect(err.code).toBe(ErrorCodes.DIRECTORY_KEY_FORMAT);
    expect(err.message).toBe(
      `directory in ${snapshot} was imported with key format 1; this version needs ${KEY_FORMAT}: run "postguard directory import FILE" again`,
    );
  });

  it('with --directory FILE, the start-up import replaces the old directory and matching works', async () => {
    const { dir, dataDir, snapshot } = await oldDataDir();
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    const config = loadConfig({
      flags: {
        listen: '127.0.0.1:0',
        adminListen: '',
        hostname: 'relay.test',
        internalDomains: ['support.example'],
        dataDir,
        directory: [join(dir, 'customers.csv')],
      },
      env: {},
    });
    const s = await startServer(config, logger);
    cleanups.push(() => s.close());
    expect(s.directory.stats()).toMatchObject({ keyFormat: KEY_FORMAT, reimportNeeded: false, customers: 2 });
    expect(s.directory.lookup('full_name', normalizeValue('full_name', 'Jürgen Müller')!)).toEqual(['C002']);
    expect(s.directory.lookup('email', 'old.customer@example.net')).toEqual([]);
    const replaced = lines.filter((l) => l.includes('had key format 1: this import replaced it'));
    expect(replaced).toHaveLength(1);
    expect(JSON.parse(replaced[0]!)).toMatchObject({ level: 30 });
    expect(readSnapshotHeader(readFileSync(snapshot)).keyFormat).toBe(KEY_FORMAT);
  });
});
