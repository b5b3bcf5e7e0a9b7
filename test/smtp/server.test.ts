/**
 * InboundServer over real sockets: the greeting, the DATA timeout and the shutdown reply, which the server gives
 * through the session's own socket (SessionSockets), not through smtp-server's connection list.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSink, type Sink } from '../helpers/sink.js';
import { RawSmtp } from '../helpers/smtp-client.js';
import { startTestRelay, type TestRelay } from '../helpers/relay.js';

describe('InboundServer', () => {
  let sink: Sink | undefined;
  let relay: TestRelay | undefined;
  afterEach(async () => {
    await relay?.close();
    await sink?.close();
    relay = undefined;
    sink = undefined;
  });

  it('greets with one ESMTP: "220 NAME ESMTP postguard"', async () => {
    sink = await startSink();
    relay = await startTestRelay({ upstream: sink.url });
    const c = await RawSmtp.open(relay.port);
    expect((await c.read()).text).toBe('220 relay.test ESMTP postguard');
    c.close();
  });

  it('a DATA transfer over limits.dataTimeout gets 421 4.4.2 and the connection closes; nothing is delivered', async () => {
    sink = await startSink();
    relay = await startTestRelay({ upstream: sink.url, 'limits.dataTimeout': '1s' });
    const c = await RawSmtp.open(relay.port);
    await c.read();
    await c.cmd('EHLO slow.test');
    await c.cmd('MAIL FROM:<agent@support.example>');
    await c.cmd('RCPT TO:<someone@example.com>');
    expect((await c.cmd('DATA')).code).toBe(354);
    c.write('Subject: slow\r\n\r\n');
    const drip = setInterval(() => c.write('x'), 100);
    try {
      expect((await c.read(30_000)).text).toBe('421 4.4.2 DATA timeout, closing connection');
    } finally {
      clearInterval(drip);
    }
    await new Promise<void>((resolve) => (c.closed ? resolve() : c.socket.once('close', () => resolve())));
    expect(sink.messages).toEqual([]);
  });

  it('on shutdown an idle session is told 421 4.3.2 and closed', async () => {
    sink = await startSink();
    relay = await startTestRelay({ upstream: sink.url });
    const c = await RawSmtp.open(relay.port);
    await c.read();
    await c.cmd('EHLO idle.test');
    const closing = relay.close();
    relay = undefined;
    expect((await c.read(30_000)).text).toBe('421 4.3.2 Service shutting down, try again later');
    await closing;
    c.close();
  });
});
