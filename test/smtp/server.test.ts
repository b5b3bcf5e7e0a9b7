/**
 * InboundServer over real sockets: the greeting (and its delay), the DATA timeout and the shutdown reply, which the server gives
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

  it('limits.greetingDelay is per relay: an early talker is refused by the delayed one, the other greets at once', async () => {
    sink = await startSink();
    // two relays in one process: the one started second must not change the first one's delay
    const delayed = await startTestRelay({ upstream: sink.url, 'limits.greetingDelay': '30s' });
    relay = await startTestRelay({ upstream: sink.url });
    try {
      const early = await RawSmtp.open(delayed.port);
      early.write('EHLO early.test\r\n');
      expect((await early.read(30_000)).text).toMatch(/^421 .*You talk too soon/);
      early.close();
      const c = await RawSmtp.open(relay.port);
      c.write('EHLO prompt.test\r\n');
      expect((await c.read()).text).toBe('220 relay.test ESMTP postguard');
      expect((await c.read()).code).toBe(250);
      c.close();
    } finally {
      await delayed.close();
    }
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
