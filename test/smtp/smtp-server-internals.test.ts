/**
 * Guard for the smtp-server internals src/smtp/smtp-server-adapters.ts still patches (everything else goes through
 * public options). smtp-server is pinned exactly in package.json; when it is upgraded, this test fails and names
 * what to re-check, instead of the adapters silently doing the wrong thing on a changed method.
 *
 * To accept a new version: read the changed methods, confirm (or fix) each adapter's assumption written below,
 * then update VERSION and the fingerprints (the test prints the new ones).
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

const VERSION = '3.21.6';

/** Method → what the adapter relies on, and the sha256 (first 16 hex) of its source in VERSION. */
const PATCHED: Record<string, { relies: string; sha: string }> = {
  init: {
    relies:
      'init() = _setListeners(cb) where cb checks maxClients (unused: no maxClients) and calls connectionReady() after a fixed 100 ms; the greeting-delay adapter replaces it with limits.greetingDelay',
    sha: 'b193779f91d49ca2',
  },
  connectionReady: {
    relies: 'connectionReady() runs onConnect and sends the greeting; the greeting-delay adapter calls it',
    sha: '4e53cd5d87463375',
  },
  _setListeners: {
    relies: '_setListeners(cb) wires the socket and calls cb (sync unless needsUpgrade)',
    sha: 'b3b4f926090fc465',
  },
  send: {
    relies:
      'send(code, data, context): context undefined → enhanced code from the reply code, false → none; the enhanced-code adapter passes false for text that starts with its own code',
    sha: '22b441c646c8ac0e',
  },
  _onCommand: {
    relies:
      "an AUTH on a session whose session.disabledCommands holds AUTH is answered send(500, 'Error: command not recognized', 'AUTH') before any SASL step; the adapter turns exactly that into 538 5.7.11",
    sha: 'e80de62dbeae202d',
  },
  _isDisabled: {
    relies: 'session.disabledCommands (an array) replaces the server-wide disabledCommands',
    sha: '05e46086f66d604d',
  },
  _parseAddressCommand: {
    relies:
      "_parseAddressCommand(name, command) strips a source route and returns false for a quoted local part with '@'; the routed-recipient adapter marks both",
    sha: '31961c1bd5e27db0',
  },
};

const require = createRequire(import.meta.url);
const PKG = dirname(require.resolve('smtp-server/package.json'));
const SOURCE = readFileSync(join(PKG, 'dist/esm/smtp-connection.js'), 'utf8');

function methodSource(name: string): string | null {
  const m = new RegExp(`\\n    ${name}\\(([^)]*)\\) \\{\\n`).exec(SOURCE);
  if (!m) return null;
  const end = SOURCE.indexOf('\n    }\n', m.index + 1);
  return end === -1 ? null : SOURCE.slice(m.index + 1, end + 6);
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

describe('smtp-server internals patched by src/smtp/smtp-server-adapters.ts', () => {
  it(`is smtp-server ${VERSION}, the version the adapters were checked against`, () => {
    const version = (JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')) as { version: string }).version;
    expect(
      version,
      `smtp-server is ${version}, the adapters in src/smtp/smtp-server-adapters.ts were checked against ${VERSION}: re-check them (see this file) before upgrading`,
    ).toBe(VERSION);
  });

  it('has every patched method, unchanged', () => {
    const changed: string[] = [];
    const proto = SMTPConnection.prototype as unknown as Record<string, unknown>;
    for (const [name, { relies, sha: expected }] of Object.entries(PATCHED)) {
      const text = methodSource(name);
      if (typeof proto[name] !== 'function' || text === null) {
        changed.push(`SMTPConnection.${name} is gone. The adapter relied on: ${relies}`);
        continue;
      }
      const got = sha(text);
      if (got !== expected)
        changed.push(
          `SMTPConnection.${name} changed (fingerprint ${got}, was ${expected}). The adapter relies on: ${relies}`,
        );
    }
    expect(
      changed,
      `smtp-server internals changed under src/smtp/smtp-server-adapters.ts:\n${changed.join('\n')}`,
    ).toEqual([]);
  });

  it('still has the behaviour the adapters build on, in its source', () => {
    expect(methodSource('init'), 'init(): the fixed 100 ms greeting timer').toContain(
      'setTimeout(() => this.connectionReady(), 100)',
    );
    expect(methodSource('_onCommand'), '_onCommand(): the reply to a disabled/unknown command').toContain(
      "this.send(500, 'Error: command not recognized', commandName)",
    );
    expect(methodSource('_isDisabled'), '_isDisabled(): per-session disabled commands').toContain(
      'this.session.disabledCommands',
    );
    expect(SOURCE, 'the constructor keeps the accepting server: the greeting delay is per server').toContain(
      'this._server = server;',
    );
    expect(SOURCE, 'STARTTLS calls onSecure with the same session object').toContain(
      'this._server.onSecure(this._socket, this.session,',
    );
  });
});
