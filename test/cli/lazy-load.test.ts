/**
 * Each `postguard` command loads only what it needs (src/cli/main.ts: commands are declared cheaply, their code is
 * imported when they run): `--help` or `user list` must not load the relay, the inspector (mailparser), the admin
 * console (fastify) or the database clients, and `serve` loads the console only when it listens. Nothing is timed:
 * a module loader hook (node --import, module.register) writes the URL of every module the real binary loads to a
 * file, and the test reads that list. The start-up figures themselves are in bench/cli/startup.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cleanupChildren, freePort, startChildRelay } from '../helpers/child-relay.js';
import { runCli } from './run.js';

const work = mkdtempSync(join(tmpdir(), 'pg-cli-lazy-'));
let runs = 0;

// The hook runs on the loader's own thread; the file to write to reaches it through register's `data`.
writeFileSync(
  join(work, 'hooks.mjs'),
  `import { appendFileSync } from 'node:fs';
let out;
export function initialize(data) { out = data.out; }
export async function load(url, context, next) {
  appendFileSync(out, url + '\\n');
  return next(url, context);
}
`,
);
writeFileSync(
  join(work, 'record.mjs'),
  `import { register } from 'node:module';
register('./hooks.mjs', import.meta.url, { data: { out: process.env.PG_TEST_LOADED_MODULES } });
`,
);

/** Environment that makes a node process record the modules it loads into a fresh file. */
function recording(): { env: Record<string, string>; loaded: () => string[] } {
  const out = join(work, `loaded-${++runs}.txt`);
  writeFileSync(out, '');
  const env = {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${pathToFileURL(join(work, 'record.mjs')).href}`.trim(),
    PG_TEST_LOADED_MODULES: out,
  };
  return { env, loaded: () => readFileSync(out, 'utf8').split('\n').filter(Boolean) };
}

/** Heavy parts, as they appear in a module URL. */
const HEAVY = {
  inspector: '/dist/src/inspect/inspector.js',
  relay: '/dist/src/relay/',
  server: '/dist/src/server/',
  admin: '/dist/src/admin/server.js',
  mailparser: '/node_modules/mailparser/',
  fastify: '/node_modules/fastify/',
  pg: '/node_modules/pg/',
  ioredis: '/node_modules/ioredis/',
  exceljs: '/node_modules/exceljs/',
  libphonenumber: '/node_modules/libphonenumber-js/',
};
type Heavy = keyof typeof HEAVY;
const ALL = Object.keys(HEAVY) as Heavy[];

function heavyIn(urls: string[]): Heavy[] {
  return ALL.filter((h) => urls.some((u) => u.includes(HEAVY[h])));
}

afterEach(() => cleanupChildren());
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('commands load only what they need', () => {
  const cases: { name: string; args: (dataDir: string) => string[]; loads: string; allowed: Heavy[] }[] = [
    { name: '--help', args: () => ['--help'], loads: '/dist/src/cli/commands/serve.js', allowed: [] },
    { name: 'serve --help', args: () => ['serve', '--help'], loads: '/dist/src/cli/commands/serve.js', allowed: [] },
    {
      name: 'user list',
      args: (d) => ['user', 'list', '--data-dir', d],
      loads: '/dist/src/smtp/users.js',
      allowed: [],
    },
    // Redis and PostgreSQL clients load only when configured
    {
      name: 'quarantine list',
      args: (d) => ['quarantine', 'list', '--data-dir', d],
      loads: '/dist/src/cli/commands/quarantine-actions.js',
      allowed: [],
    },
    // the directory itself normalises phone numbers; its Redis store and PostgreSQL sync are not loaded
    {
      name: 'directory stats',
      args: (d) => ['directory', 'stats', '--data-dir', d],
      loads: '/dist/src/cli/commands/directory-actions.js',
      allowed: ['libphonenumber'],
    },
  ];

  it.each(cases)(
    'postguard $name: none of the relay, inspector, console or other heavy parts',
    async ({ args, loads, allowed }) => {
      const dataDir = mkdtempSync(join(work, 'data-'));
      const rec = recording();
      const r = await runCli(args(dataDir), { cwd: work, env: rec.env });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const urls = rec.loaded();
      // the recording works: the entry point and the command's own code are in it
      expect(urls.some((u) => u.endsWith('/dist/src/cli/main.js'))).toBe(true);
      expect(urls.some((u) => u.endsWith(loads))).toBe(true);
      expect(heavyIn(urls).filter((h) => !allowed.includes(h))).toEqual([]);
    },
    60_000,
  );
});

describe('serve loads the admin console only when it listens', () => {
  async function serveLoads(adminListen: string): Promise<Heavy[]> {
    const rec = recording();
    const dataDir = mkdtempSync(join(work, 'data-'));
    const relay = await startChildRelay({
      args: [
        '--listen',
        '127.0.0.1:0',
        '--admin-listen',
        adminListen,
        '--upstream',
        'smtp://127.0.0.1:1',
        '--data-dir',
        dataDir,
        '--workers',
        '1',
      ],
      cwd: work,
      env: rec.env,
    });
    if (adminListen) expect(relay.adminPort).toBeGreaterThan(0);
    await relay.kill('SIGTERM');
    return heavyIn(rec.loaded());
  }

  it('without --admin-listen: the relay, no fastify', async () => {
    const heavy = await serveLoads('');
    expect(heavy).toEqual(expect.arrayContaining(['relay', 'inspector', 'mailparser']));
    expect(heavy).not.toContain('fastify');
    expect(heavy).not.toContain('admin');
    // no Redis or PostgreSQL configured: neither client is loaded
    expect(heavy).not.toContain('ioredis');
    expect(heavy).not.toContain('pg');
  }, 60_000);

  it('with --admin-listen: the console and fastify too', async () => {
    const heavy = await serveLoads(`127.0.0.1:${await freePort()}`);
    expect(heavy).toEqual(expect.arrayContaining(['relay', 'inspector', 'admin', 'fastify']));
  }, 60_000);
});
