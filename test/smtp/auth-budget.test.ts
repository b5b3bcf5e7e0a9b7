/**
 * SMTP AUTH and the shared failure budget (core/failure-budget.ts) over real sockets: attempts in flight count,
 * so many parallel guesses get no more password checks than the budget; the budget is per address and per user.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundServer } from '../../src/smtp/server.js';
import { NetworkList } from '../../src/smtp/networks.js';
import { UserStore } from '../../src/smtp/users.js';
import { RawSmtp } from '../helpers/smtp-client.js';

class CountingUsers extends UserStore {
  checks = 0;
  override async verify(name: string, password: string): Promise<boolean> {
    this.checks++;
    return super.verify(name, password);
  }
}

const BUDGET = 5;
const plain = (user: string, pass: string) => Buffer.from(`\0${user}\0${pass}`).toString('base64');

async function authOnce(port: number, from: string, user: string, pass: string): Promise<number> {
  const c = await RawSmtp.open(port, '127.0.0.1', from);
  try {
    await c.read();
    await c.cmd('EHLO guesser.test');
    return (await c.cmd(`AUTH PLAIN ${plain(user, pass)}`)).code;
  } finally {
    c.close();
  }
}

describe('SMTP AUTH failure budget', () => {
  let dir: string;
  let users: CountingUsers;
  let server: InboundServer;
  let port: number;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pg-auth-'));
    users = new CountingUsers(path.join(dir, 'users.json'));
    await users.add('helpdesk', 'correct horse battery');
    await users.add('billing', 'another good password');
    server = new InboundServer({
      trusted: new NetworkList([]),
      users,
      authRequireTls: false,
      limits: {
        maxSize: 1024 * 1024,
        maxRecipients: 10,
        maxConnections: 500,
        maxConnectionsPerClient: 500,
        commandTimeout: 60_000,
        dataTimeout: 60_000,
        greetingDelay: 0,
        maxAuthFailures: 5,
        maxAuthFailuresPerClient: BUDGET,
        // connection admission off: 60 parallel strangers from one address are the point of this test
        reservedConnections: 0,
        connectionRatePerClient: 0,
        stressThreshold: 100,
        stressCommandTimeout: 60_000,
        minProgressRate: 0,
        progressWindow: 30_000,
      },
      logger: pino({ level: 'silent' }),
      onMessage: async () => ({ code: 250, enhanced: '2.0.0', text: 'ok' }),
    });
    port = (await server.listen('127.0.0.1:0')).port;
  });
  afterAll(async () => {
    await server.close(1000);
    await rm(dir, { recursive: true, force: true });
  });

  it('checks at most the budget of passwords for 60 parallel guesses from one address', async () => {
    users.checks = 0;
    const codes = await Promise.all(
      Array.from({ length: 60 }, (_, i) => authOnce(port, '127.0.0.1', `user${i}`, 'wrong password')),
    );
    expect(users.checks).toBeLessThanOrEqual(BUDGET);
    expect(codes.filter((c) => c === 535)).toHaveLength(users.checks);
    expect(codes.filter((c) => c === 454)).toHaveLength(60 - users.checks);
    // the right password from that address is refused unchecked for the window
    const before = users.checks;
    expect(await authOnce(port, '127.0.0.1', 'helpdesk', 'correct horse battery')).toBe(454);
    expect(users.checks).toBe(before);
  });

  it('limits guesses on one user across addresses, without locking other users or addresses', async () => {
    for (let i = 0; i < BUDGET; i++)
      expect(await authOnce(port, `127.0.0.${10 + i}`, 'billing', 'wrong password')).toBe(535);
    expect(await authOnce(port, '127.0.0.30', 'billing', 'another good password')).toBe(454);
    expect(await authOnce(port, '127.0.0.30', 'helpdesk', 'correct horse battery')).toBe(235);
  });
});
