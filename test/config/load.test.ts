import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, redactConfig } from '../../src/config/load.js';
import { CONFIG_KEYS, envName, flagName } from '../../src/config/keys.js';
import { isPostguardError } from '../../src/core/errors.js';

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pg-cfg-'));
  const f = join(dir, 'postguard.yaml');
  writeFileSync(f, text);
  return f;
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('config', () => {
  it('has embedded defaults that need no file', () => {
    const c = loadConfig({ env: {} });
    expect(c.listen).toBe('127.0.0.1:2525');
    expect(c.adminListen).toBe('127.0.0.1:8025');
    expect(c.upstream).toBe('dir:./outbox');
    expect(c.limits.maxSize).toBe(25 * 1024 * 1024);
    expect(c.trustedNetworks).toEqual(['127.0.0.0/8', '::1/128']);
  });

  it('derives flag and environment names from the key table', () => {
    const spec = CONFIG_KEYS.find((k) => k.key === 'limits.maxSize')!;
    expect(flagName(spec)).toBe('limits-max-size');
    expect(envName(spec)).toBe('POSTGUARD_LIMITS_MAX_SIZE');
    expect(flagName(CONFIG_KEYS.find((k) => k.key === 'internalDomains')!)).toBe('internal-domain');
  });

  it('applies file < environment < flag', () => {
    const f = file(
      'listen: 127.0.0.1:3000\nlimits:\n  maxSize: 10MB\n  maxRecipients: 7\ninternalDomains:\n  - Support.Example\n',
    );
    const c = loadConfig({
      file: f,
      env: { POSTGUARD_LIMITS_MAX_RECIPIENTS: '9', POSTGUARD_LISTEN: '127.0.0.1:3001' },
      flags: { listen: '127.0.0.1:3002' },
    });
    expect(c.limits.maxSize).toBe(10 * 1024 * 1024);
    expect(c.limits.maxRecipients).toBe(9);
    expect(c.listen).toBe('127.0.0.1:3002');
    expect(c.internalDomains).toEqual(['support.example']);
  });

  it('names the key and the line of a bad value in the file', () => {
    const f = file('listen: 127.0.0.1:2525\nlimits:\n  maxSize: lots\n');
    const err = errorOf(() => loadConfig({ file: f, env: {} }));
    expect(isPostguardError(err)).toBe(true);
    expect(err.message).toBe(`config key "limits.maxSize" (${f}:3): expected a size such as 25MB, got "lots"`);
  });

  it('names unknown keys with their line', () => {
    const f = file('listen: 127.0.0.1:2525\n\nupstreem: smtp://x:25\n');
    expect(errorOf(() => loadConfig({ file: f, env: {} })).message).toBe(`${f}:3: unknown config key "upstreem"`);
  });

  it('reports YAML syntax errors with the line', () => {
    const f = file('listen: 127.0.0.1:2525\nlimits: [unclosed\n');
    expect(errorOf(() => loadConfig({ file: f, env: {} })).message).toMatch(
      new RegExp(`^${f.replace(/[.]/g, '\\.')}:\\d+: YAML syntax error`),
    );
  });

  it('names the environment variable or flag of a bad value', () => {
    expect(errorOf(() => loadConfig({ env: { POSTGUARD_LIMITS_MAX_RECIPIENTS: 'many' } })).message).toBe(
      'config key "limits.maxRecipients" (environment POSTGUARD_LIMITS_MAX_RECIPIENTS): expected a whole number, got "many"',
    );
    expect(errorOf(() => loadConfig({ env: {}, flags: { upstream: 'http://x' } })).message).toMatch(
      /config key "upstream" \(flag --upstream\): expected smtp:\/\//,
    );
    expect(errorOf(() => loadConfig({ env: {}, flags: { listen: 'localhost' } })).message).toMatch(
      /expected HOST:PORT/,
    );
  });

  it('requires shared secrets with Redis and never prints secrets', () => {
    expect(errorOf(() => loadConfig({ env: {}, flags: { redis: 'redis://127.0.0.1:6379' } })).message).toMatch(
      /directorySecret/,
    );
    const c = loadConfig({
      env: {},
      flags: {
        upstream: 'smtp://user:hunter2@mx.example:25',
        upstreamPassword: 'hunter2',
        directorySecret: 's3cret-value',
      },
    });
    const printed = JSON.stringify(redactConfig(c));
    expect(printed).not.toContain('hunter2');
    expect(printed).not.toContain('s3cret-value');
  });

  it('checks the SMTP edge keys: smtp.bareNewline and the reserve for trusted networks', () => {
    const c = loadConfig({ env: {} });
    expect(c.smtp.bareNewline).toBe('normalize');
    expect(c.limits.reservedConnections).toBe(20);
    expect(loadConfig({ env: { POSTGUARD_SMTP_BARE_NEWLINE: 'reject' } }).smtp.bareNewline).toBe('reject');
    expect(errorOf(() => loadConfig({ env: {}, flags: { 'smtp.bareNewline': 'strip' } })).message).toBe(
      'config key "smtp.bareNewline": must be normalize or reject',
    );
    expect(
      errorOf(() =>
        loadConfig({ env: {}, flags: { 'limits.maxConnections': '20', 'limits.maxConnectionsPerClient': '5' } }),
      ).message,
    ).toMatch(
      /^config key "limits\.reservedConnections": 20 leaves no connection of limits\.maxConnections \(20\) for clients outside trustedNetworks$/,
    );
  });
});
