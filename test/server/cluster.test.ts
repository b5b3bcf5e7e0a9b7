/**
 * `serve --workers 2`: two relay processes share the SMTP port, the primary serves the console and the summed
 * metrics, and SIGTERM stops every process.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSink } from '../helpers/sink.js';
import { sendRaw } from '../helpers/smtp-client.js';
import { message } from '../helpers/relay.js';
import { workerExecArgv } from '../../src/server/cluster.js';
import { AccountStore } from '../../src/admin/accounts.js';

const BIN = resolve('dist/src/cli/main.js');
let child: ChildProcess | undefined;
let dir: string | undefined;

afterEach(() => {
  child?.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function until(pred: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('serve --workers 2', () => {
  it('relays through both workers, aggregates metrics in the primary, and stops on SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pg-cluster-'));
    writeFileSync(join(dir, 'customers.csv'), 'customer_id,full_name,email\nC1,Maria Gonzalez,maria@example.com\n');
    const sink = await startSink();
    child = spawn(
      process.execPath,
      [
        BIN,
        'serve',
        '--workers',
        '2',
        '--listen',
        '127.0.0.1:0',
        '--admin-listen',
        '127.0.0.1:0',
        '--upstream',
        sink.url,
        '--data-dir',
        join(dir, 'data'),
        '--directory',
        join(dir, 'customers.csv'),
      ],
      { cwd: dir },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child!.on('exit', (c) => r(c)));
    // port 0 in a cluster: every worker shares the one port the primary's handle got
    await until(() => (out.match(/postguard relay listening/g) ?? []).length === 2);
    const port = Number(/"smtp":"127\.0\.0\.1:(\d+)"/.exec(out)![1]);
    // the workers run with the relay's young-generation size
    const workerPids = execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    expect(workerPids).toHaveLength(2);
    for (const pid of workerPids)
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('--max-semi-space-size=4');
    const admin = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)![1]!;
    const workers = new Set<string>();
    // 40 messages, 10 connections at a time: both workers accept (the kernel hands connections to whichever
    // worker is waiting in accept)
    for (let batch = 0; batch < 4; batch++) {
      const replies = await Promise.all(
        Array.from({ length: 10 }, () =>
          sendRaw(port, {
            from: 'agent@support.example',
            to: ['maria@example.com'],
            body: message({ to: 'maria@example.com' }),
          }),
        ),
      );
      for (const r of replies) expect(r.code).toBe(250);
    }
    await sink.waitFor(40);
    for (const m of out.matchAll(/"worker":(\d+)[^\n]*"msg":"transaction"/g)) workers.add(m[1]!);
    expect(workers.size).toBe(2);
    const metrics = await (await fetch(`${admin}/metrics`)).text();
    expect(metrics).toMatch(/^postguard_messages_total\{verdict="deliver"\} 40$/m);
    expect(metrics.match(/^# TYPE postguard_quarantine_messages gauge$/gm)?.length).toBe(1);
    const ready = await (await fetch(`${admin}/readyz`)).json();
    expect(ready).toMatchObject({ ready: true, checks: { workers: true } });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await sink.close();
  }, 60_000);
});

describe('serve --workers 2 with the verdict journal', () => {
  it("the primary's console reads what the workers journaled: customer and incident views", async () => {
    dir = mkdtempSync(join(tmpdir(), 'pg-cluster-'));
    writeFileSync(
      join(dir, 'customers.csv'),
      [
        'customer_id,full_name,email,phone,street,city,postal_code,country,imei,order_id',
        'C001,Maria Gonzalez,maria.gonzalez@gmail.com,+1 415 555 0171,12 Market Street,San Francisco,94105,US,356938035643809,ORD-100234',
        'C002,Jürgen Müller,juergen.mueller@web.de,030 1234567,Hauptstraße 5,Berlin,10115,DE,490154203237518,ORD-100235',
      ].join('\n'),
    );
    const sink = await startSink();
    child = spawn(
      process.execPath,
      [
        BIN,
        'serve',
        '--workers',
        '2',
        '--listen',
        '127.0.0.1:0',
        '--admin-listen',
        '127.0.0.1:0',
        '--internal-domain',
        'support.example',
        '--upstream',
        sink.url,
        '--data-dir',
        join(dir, 'data'),
        '--directory',
        join(dir, 'customers.csv'),
      ],
      { cwd: dir },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child!.on('exit', (c) => r(c)));
    await until(() => (out.match(/postguard relay listening/g) ?? []).length === 2 && /"url":"http/.test(out));
    const port = Number(/"smtp":"127\.0\.0\.1:(\d+)"/.exec(out)![1]);
    const admin = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)![1]!;
    const r = await sendRaw(port, {
      from: 'agent@support.example',
      to: ['maria.gonzalez@gmail.com'],
      body: message({ to: 'maria.gonzalez@gmail.com', body: 'Please call Jürgen on 030 1234567.' }),
    });
    expect(r.text).toMatch(/held for review, ref [0-9A-Z]{22}/);
    const ref = /ref ([0-9A-Z]{22})/.exec(r.text)![1]!;
    const accounts = AccountStore.forDataDir(join(dir, 'data'));
    await accounts.add('ops', 'releaser', 'a long enough password');
    const headers = { authorization: `Bearer ${await accounts.createToken('ops')}` };
    const customer = async () =>
      (await (await fetch(`${admin}/api/customers/C002`, { headers })).json()) as {
        messages: { ref: string; status: string; recipients: string[] }[];
      };
    // the outcome entry follows the reply: poll until the primary reads it from the workers' journal files
    const end = Date.now() + 30_000;
    let seen = await customer();
    while (seen.messages[0]?.status !== 'held' && Date.now() < end) {
      await new Promise((r2) => setTimeout(r2, 50));
      seen = await customer();
    }
    expect(seen.messages).toEqual([expect.objectContaining({ ref, status: 'held', recipients: ['m•••@gmail.com'] })]);
    const incident = await fetch(`${admin}/api/incidents/${ref}`, { headers });
    expect(incident.status).toBe(200);
    expect(await incident.json()).toMatchObject({
      dataSubjects: { count: 1, customers: ['C002'] },
      delivered: false,
      status: 'held',
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await sink.close();
  }, 60_000);
});

describe('workerExecArgv', () => {
  it("adds the young-generation size to the primary's flags unless node was given one", () => {
    expect(workerExecArgv(['--enable-source-maps'], '')).toEqual(['--enable-source-maps', '--max-semi-space-size=4']);
    expect(workerExecArgv(['--max-semi-space-size=32'], '')).toEqual(['--max-semi-space-size=32']);
    expect(workerExecArgv([], '--max-old-space-size=4096 --max-semi-space-size=8')).toEqual([]);
  });
});
