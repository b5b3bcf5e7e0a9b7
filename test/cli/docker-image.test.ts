/**
 * The Docker image's layout without a Docker engine: the runtime stage's ENV, ENTRYPOINT + CMD and HEALTHCHECK,
 * read from the Dockerfile, run as an unprivileged user (nobody, standing in for the image's `postguard` user)
 * with the code in a root-owned folder (as /app, holding what the image copies there) and the volume
 * (/var/lib/postguard) owned by that user. Mail sent to it must be delivered (2xx, .eml in the volume's outbox),
 * /readyz must answer 200 and the health check must pass; with the outbox left at its old default (./outbox under
 * the root-owned /app) mail gets 451 and the health check fails.
 * Also: .dockerignore keeps dependencies, state and keys out of the build context; docker-compose.yml runs Redis
 * and two relays on it. Needs root (to drop to nobody); skipped otherwise.
 */
import { spawnSync } from 'node:child_process';
import {
  chownSync,
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupChildren, freePort, spawnTracked, waitUntil } from '../helpers/child-relay.js';
import { message } from '../helpers/relay.js';
import { sendRaw } from '../helpers/smtp-client.js';

const REPO = resolve('.');
const DOCKERFILE = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
const IS_ROOT = process.getuid?.() === 0;
const NOBODY = { uid: 65534, gid: 65534 };

/** The runtime stage (after the last FROM), with `\` continuations joined. */
function runtimeStage(): string[] {
  const lines = DOCKERFILE.replace(/\\\n/g, ' ').split('\n');
  const from = lines
    .map((l, i) => (/^FROM\s/i.test(l) ? i : -1))
    .filter((i) => i >= 0)
    .pop()!;
  return lines
    .slice(from)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

function instruction(name: string): string[] {
  return runtimeStage()
    .filter((l) => l.toUpperCase().startsWith(name + ' '))
    .map((l) => l.slice(name.length).trim());
}

function imageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const body of instruction('ENV')) {
    for (const m of body.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)) env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  }
  return env;
}

function execForm(body: string): string[] {
  return JSON.parse(body) as string[];
}

afterEach(() => cleanupChildren());

/**
 * The image's /app: what the runtime stage's COPY lines put there (node_modules, dist, package.json, policies),
 * hard-linked from this checkout into a root-owned 0755 folder (so the test does not depend on the checkout's own
 * folder permissions, and the process finds nothing else there).
 */
function buildApp(root: string): string {
  const app = join(root, 'app');
  mkdirSync(app, { mode: 0o755 });
  const sources = instruction('COPY')
    .map((body) =>
      body
        .replace(/^--from=\S+\s+/, '')
        .split(/\s+/)
        .slice(0, -1),
    )
    .flat();
  for (const src of sources) {
    const name = src.replace(/^\/app\//, '');
    const r = spawnSync('cp', ['-al', join(REPO, name), join(app, name)]);
    if (r.status !== 0) cpSync(join(REPO, name), join(app, name), { recursive: true }); // another file system
  }
  return app;
}

let root: string;
let app: string;
beforeAll(() => {
  if (!IS_ROOT) return;
  root = mkdtempSync(join(tmpdir(), 'pg-docker-'));
  chmodSync(root, 0o755);
  app = buildApp(root);
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** The image's file system mapped onto this machine: /app → the copy above, /var/lib/postguard → a new volume. */
function layout(): { volume: string; map: (s: string) => string } {
  const volume = mkdtempSync(join(root, 'var-lib-postguard-'));
  chownSync(volume, NOBODY.uid, NOBODY.gid); // RUN … chown postguard:postguard /var/lib/postguard
  chmodSync(volume, 0o750);
  const map = (s: string) =>
    s.replaceAll('/var/lib/postguard', volume).replace(/(^|[:=\s"'])\/app(?=\/|$)/g, `$1${app}`);
  return { volume, map };
}

async function envFor(
  map: (s: string) => string,
  override: Record<string, string> = {},
): Promise<{ env: NodeJS.ProcessEnv; smtpPort: number; adminPort: number }> {
  const smtpPort = await freePort();
  const adminPort = await freePort();
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: map('/var/lib/postguard') };
  for (const [k, v] of Object.entries(imageEnv())) env[k] = map(v);
  // Tests listen on loopback only; the image's 0.0.0.0 with the same ports otherwise.
  expect(env.POSTGUARD_LISTEN).toBe('0.0.0.0:2525');
  expect(env.POSTGUARD_ADMIN_LISTEN).toBe('0.0.0.0:8025');
  env.POSTGUARD_LISTEN = `127.0.0.1:${smtpPort}`;
  env.POSTGUARD_ADMIN_LISTEN = `127.0.0.1:${adminPort}`;
  Object.assign(env, override);
  return { env, smtpPort, adminPort };
}

/** Runs argv (exec form, `node` = this node) as nobody in the image's WORKDIR. */
function asNobody(argv: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const [cmd, ...args] = argv;
  const exe = cmd === 'node' ? process.execPath : cmd!;
  return spawnTracked(
    'setpriv',
    [
      '--reuid',
      String(NOBODY.uid),
      '--regid',
      String(NOBODY.gid),
      '--clear-groups',
      'env',
      '-i',
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      exe,
      ...args,
    ],
    { cwd },
  );
}

async function healthCheck(map: (s: string) => string, env: NodeJS.ProcessEnv, cwd: string): Promise<number | null> {
  const hc = instruction('HEALTHCHECK')[0]!;
  const cmd = execForm(hc.slice(hc.indexOf('CMD') + 3).trim()).map(map);
  return asNobody(cmd, env, cwd).exited;
}

async function readyz(port: number): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
}

describe.skipIf(!IS_ROOT)('Docker image layout, run as an unprivileged user (needs root to drop privileges)', () => {
  it('delivers to the outbox in its volume, /readyz is 200 and the health check passes', async () => {
    const { volume, map } = layout();
    const workdir = map(instruction('WORKDIR').pop()!);
    expect(workdir).toBe(app);
    const { env, smtpPort, adminPort } = await envFor(map);
    // The point of the test: the code folder is not writable by the process's user.
    expect(await asNobody(['touch', join(workdir, `.pg-docker-probe-${process.pid}`)], env, workdir).exited).not.toBe(
      0,
    );
    const argv = [...execForm(instruction('ENTRYPOINT')[0]!), ...execForm(instruction('CMD')[0]!)].map(map);
    const relay = asNobody(argv, env, workdir);
    await waitUntil(() => /postguard relay listening/.test(relay.out()), 60_000, 'relay listening');
    await waitUntil(() => /upstream check (passed|failed)/.test(relay.out()), 60_000, 'upstream check');
    expect(relay.out()).toMatch(/upstream check passed/);

    const r = await sendRaw(smtpPort, { from: 'agent@support.example', to: ['customer@example.com'], body: message() });
    expect(r.code).toBe(250);
    const outbox = join(volume, 'outbox');
    const eml = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
    expect(eml).toHaveLength(1);
    expect(statSync(join(outbox, eml[0]!)).uid).toBe(NOBODY.uid); // written by the unprivileged process
    expect(existsSync(join(volume, 'quarantine.key'))).toBe(true);
    // the console (and /readyz) starts after the relay
    await waitUntil(() => /admin console listening/.test(relay.out()), 60_000, 'admin console listening');
    expect(await readyz(adminPort)).toBe(200);
    expect(await healthCheck(map, env, workdir)).toBe(0);

    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
  }, 120_000);

  it("without the image's upstream setting (outbox under the root-owned code folder): 451, and the health check fails", async () => {
    const { map } = layout();
    const workdir = map(instruction('WORKDIR').pop()!);
    const { env, smtpPort, adminPort } = await envFor(map);
    delete env.POSTGUARD_UPSTREAM; // the old image: dir:./outbox in /app
    const argv = [...execForm(instruction('ENTRYPOINT')[0]!), ...execForm(instruction('CMD')[0]!)].map(map);
    const relay = asNobody(argv, env, workdir);
    await waitUntil(() => /upstream check (passed|failed)/.test(relay.out()), 60_000, 'upstream check');
    expect(relay.out()).toMatch(/"problem":"outbox"/);
    const r = await sendRaw(smtpPort, { from: 'agent@support.example', to: ['customer@example.com'], body: message() });
    expect(r.code).toBe(451);
    await waitUntil(() => /admin console listening/.test(relay.out()), 60_000, 'admin console listening');
    expect(await readyz(adminPort)).toBe(503);
    expect(await healthCheck(map, env, workdir)).toBe(1);
  }, 120_000);
});

describe('build context and compose file', () => {
  it('.dockerignore keeps dependencies, build output, state and keys out, and nothing the build copies', () => {
    const ignored = readFileSync(join(REPO, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const p of ['node_modules', 'dist', 'data', 'outbox', '.git', '**/*.key', '.env'])
      expect(ignored).toContain(p);
    const copied = DOCKERFILE.split('\n')
      .filter((l) => /^COPY\s/.test(l) && !l.includes('--from'))
      .flatMap((l) => l.trim().split(/\s+/).slice(1, -1));
    expect(copied.sort()).toEqual(
      ['bench', 'package-lock.json', 'package.json', 'package.json', 'policies', 'src', 'tsconfig.json'].sort(),
    );
    for (const c of copied) expect(ignored).not.toContain(c);
  });

  it('docker-compose.yml: Redis and two relays from this Dockerfile sharing it, each with its own volume', () => {
    const compose = parseYaml(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<
        string,
        {
          build?: string;
          image?: string;
          environment?: Record<string, string>;
          volumes?: string[];
          depends_on?: Record<string, unknown>;
        }
      >;
    };
    const relays = Object.entries(compose.services).filter(([, s]) => s.build === '.');
    expect(relays).toHaveLength(2);
    expect(compose.services.redis?.image).toMatch(/^redis:/);
    const volumes = new Set<string>();
    for (const [, s] of relays) {
      expect(s.environment?.POSTGUARD_REDIS).toBe('redis://redis:6379');
      expect(s.environment?.POSTGUARD_DIRECTORY_SECRET).toMatch(/^\$\{POSTGUARD_DIRECTORY_SECRET:\?/);
      expect(s.environment?.POSTGUARD_QUARANTINE_KEY).toMatch(/^\$\{POSTGUARD_QUARANTINE_KEY:\?/);
      expect(s.depends_on).toHaveProperty('redis');
      const v = s.volumes?.find((x) => x.endsWith(':/var/lib/postguard'));
      expect(v).toBeDefined();
      volumes.add(v!);
    }
    expect(volumes.size).toBe(2);
  });
});
