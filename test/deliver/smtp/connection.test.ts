/**
 * UpstreamConnection over a slow link: a large message that takes longer than the reply timeout to transfer,
 * while bytes keep moving, is delivered (the timeout is about silence, not about the size of the message).
 *
 * The timeout is 2 s and the transfer about 6 s. With a 500 ms timeout and a ~2 s transfer the timeout expired in
 * one of five loaded runs (2026-12-07: 2 cores, four test files and a spinning process, load average 9): there a
 * process can be off the CPU for half a second, and half a second without bytes is silence. The wider margin
 * keeps what the test shows (a transfer three times longer than the timeout is delivered) without that race.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamConnection } from '../../../src/deliver/smtp/connection.js';

/** A server that reads the message body at about `bytesPerSecond`, then answers 250. */
async function slowReader(bytesPerSecond: number): Promise<{ server: Server; port: number; received: () => number }> {
  let got = 0;
  const server = createServer((sock: Socket) => {
    sock.on('error', () => undefined);
    sock.write('220 slow.test ESMTP\r\n');
    let buf = '';
    const onCommand = (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      for (let nl = buf.indexOf('\r\n'); nl !== -1; nl = buf.indexOf('\r\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') sock.write('250-slow.test\r\n250 PIPELINING\r\n');
        else if (verb === 'MAIL' || verb === 'RCPT') sock.write('250 OK\r\n');
        else if (verb === 'QUIT') sock.end('221 bye\r\n');
        else if (verb === 'DATA') {
          sock.write('354 go ahead\r\n');
          sock.removeListener('data', onCommand);
          // Read the body through a slow consumer: 64 KB every 64 KB / rate seconds.
          let tail = '';
          const slow = new Writable({
            highWaterMark: 64 * 1024,
            write(c: Buffer, _e, cb) {
              got += c.length;
              tail = (tail + c.toString('latin1')).slice(-5);
              if (tail === '\r\n.\r\n') sock.write('250 2.0.0 queued as SLOW1\r\n');
              setTimeout(cb, (c.length / bytesPerSecond) * 1000);
            },
          });
          sock.pipe(slow);
          return;
        }
      }
    };
    sock.on('data', onCommand);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port, received: () => got };
}

const TIMEOUT_MS = 2_000;

let servers: Server[] = [];
afterEach(async () => {
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
  servers = [];
});

describe('UpstreamConnection: slow link', () => {
  it('a 24 MB message that takes ~6 s to transfer with a 2 s reply timeout is delivered, not timed out', async () => {
    const slow = await slowReader(4 * 1024 * 1024);
    servers.push(slow.server);
    const conn = await UpstreamConnection.open({
      host: '127.0.0.1',
      port: slow.port,
      secure: false,
      startTls: 'never',
      tlsVerify: false,
      servername: 'slow.test',
      timeoutMs: TIMEOUT_MS,
    });
    const line = Buffer.from('x'.repeat(998) + '\r\n');
    const raw = Buffer.concat([
      Buffer.from('Subject: big\r\n\r\n'),
      Buffer.alloc(24 * 1024 * 1024 - ((24 * 1024 * 1024) % line.length)).fill(line),
    ]);
    const t0 = Date.now();
    const replies = await conn.transaction({ mailFrom: 'a@support.example', rcptTo: ['b@example.com'] }, raw);
    const ms = Date.now() - t0;
    conn.quit();
    expect(replies.final?.code).toBe(250);
    expect(slow.received()).toBeGreaterThan(raw.length);
    expect(ms).toBeGreaterThan(2 * TIMEOUT_MS); // the link really was slower than the timeout
  }, 60_000);
});
