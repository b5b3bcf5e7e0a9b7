/**
 * Crash under load: 2,000 distinct messages from 8 concurrent retrying clients; the relay (the built CLI, a child
 * process) is killed with SIGKILL twice mid-stream and restarted on the same port and data dir. Afterwards every
 * Message-ID a client got 250 for must be at the upstream sink (a separate process's view: the sink lives in this
 * test process, outside the killed relay) or in the quarantine. Duplicates are only possible in the window
 * "upstream accepted, our 250 lost in the kill"; they are counted, reported and bounded by the number of
 * attempts whose connection dropped after the message was sent.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openQuarantine } from '../../src/quarantine/index.js';
import {
  cleanupChildren,
  freePort,
  POLICIES,
  startChildRelay,
  tempDir,
  type ChildRelay,
} from '../helpers/child-relay.js';
import { messageIdOf, sendAll, type OutMessage, type Outcome } from '../helpers/retrying-client.js';
import { startSink, type Sink } from '../helpers/sink.js';

const TOTAL = Number(process.env.PG_CRASH_MESSAGES ?? 2000);
const CLIENTS = 8;
const KILL_AT = [Math.round(TOTAL * 0.3), Math.round(TOTAL * 0.65)];

afterAll(cleanupChildren);

function buildMessages(): OutMessage[] {
  const out: OutMessage[] = [];
  for (let i = 0; i < TOTAL; i++) {
    const messageId = `crash-${i}-${Date.now().toString(36)}@support.example`;
    // every 10th message goes to a lookalike of gmail.com: held (quarantined), not delivered
    const to = i % 10 === 3 ? [`x${i}@gmial.com`] : [`customer${i}@example.com`];
    const data = [
      'From: Support <agent@support.example>',
      `To: ${to[0]}`,
      `Subject: Your request #${i}`,
      `Message-ID: <${messageId}>`,
      'Date: Mon, 18 Nov 2024 10:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hello,',
      '',
      `thanks for your message number ${i}. We looked into it and everything is in order.`,
      'x'.repeat(200 + (i % 7) * 300),
      '',
      'Kind regards, Support',
      '',
    ].join('\r\n');
    out.push({ messageId, from: 'agent@support.example', to, data });
  }
  return out;
}

describe('crash under load', () => {
  it(`loses no acknowledged message when the relay is SIGKILLed mid-stream (${TOTAL} messages, ${CLIENTS} clients, 2 kills)`, async () => {
    const dir = tempDir('pg-crash-');
    const dataDir = join(dir, 'data');
    const csv = join(dir, 'directory.csv');
    writeFileSync(
      csv,
      'customer_id,full_name,email,phone,order_id\nc1,Jane Roe,jane.roe@example.net,+1 415 555 0100,ORD-778812\nc2,Max Mustermann,max.m@example.org,+49 151 23456789,ORD-112233\n',
    );
    const sink: Sink = await startSink();
    const port = await freePort();
    const args = [
      '--listen',
      `127.0.0.1:${port}`,
      '--admin-listen',
      '',
      '--upstream',
      sink.url,
      '--data-dir',
      dataDir,
      '--directory',
      csv,
      '--policies',
      POLICIES,
      '--internal-domain',
      'support.example',
      '--hostname',
      'relay.test',
    ];
    const started = Date.now();
    let relay: ChildRelay = await startChildRelay({ args });
    const kills: { atAccepted: number; restartMs: number }[] = [];
    let accepted = 0;
    let restarting: Promise<void> | null = null;

    const onOutcome = (o: Outcome) => {
      if (o.code === 250) accepted++;
      if (kills.length < KILL_AT.length && accepted >= KILL_AT[kills.length]! && !restarting) {
        const at = accepted;
        restarting = (async () => {
          await relay.kill('SIGKILL');
          const t0 = Date.now();
          relay = await startChildRelay({ args });
          kills.push({ atAccepted: at, restartMs: Date.now() - t0 });
          restarting = null;
        })();
      }
    };

    try {
      const messages = buildMessages();
      const outcomes = await sendAll(messages, CLIENTS, { port, maxAttempts: 80, backoffMs: 50 }, onOutcome);
      while (restarting) await restarting;
      const sendMs = Date.now() - started;
      // graceful stop: lets the hold notices in flight finish
      await relay.kill('SIGTERM');

      const got250 = outcomes.filter((o) => o.code === 250).map((o) => o.messageId);
      const notAccepted = outcomes.filter((o) => o.code !== 250);

      // upstream view
      const atSink = new Map<string, number>();
      for (const m of sink.messages) {
        const id = messageIdOf(m.raw);
        if (id?.startsWith('crash-')) atSink.set(id, (atSink.get(id) ?? 0) + 1);
      }
      // quarantine view (same data dir, opened after the relay stopped)
      const q = await openQuarantine({ dataDir });
      const inQuarantine = new Map<string, number>();
      try {
        for (const rec of await q.list({ limit: 100_000 })) {
          const id = messageIdOf(await q.getRaw(rec.id));
          if (id?.startsWith('crash-')) inQuarantine.set(id, (inQuarantine.get(id) ?? 0) + 1);
        }
      } finally {
        await q.close();
      }

      const lost = got250.filter((id) => !atSink.has(id) && !inQuarantine.has(id));
      const dupSink = [...atSink.values()].filter((n) => n > 1).reduce((a, n) => a + n - 1, 0);
      const dupQuarantine = [...inQuarantine.values()].filter((n) => n > 1).reduce((a, n) => a + n - 1, 0);
      const droppedAfterData = outcomes.reduce((a, o) => a + o.droppedAfterData, 0);
      const summary = {
        sent: TOTAL,
        clients: CLIENTS,
        kills,
        got250: got250.length,
        notAccepted: notAccepted.length,
        atUpstream: atSink.size,
        inQuarantine: inQuarantine.size,
        lost: lost.length,
        duplicatesAtUpstream: dupSink,
        duplicatesInQuarantine: dupQuarantine,
        attempts: outcomes.reduce((a, o) => a + o.attempts, 0),
        droppedAttempts: outcomes.reduce((a, o) => a + o.dropped, 0),
        droppedAfterData,
        temporaryReplies: outcomes.reduce((a, o) => a + o.temporary, 0),
        seconds: Math.round(sendMs / 100) / 10,
      };
      console.log('[crash-under-load]', JSON.stringify(summary));

      expect(kills.length).toBe(2);
      expect(notAccepted).toEqual([]);
      expect(lost).toEqual([]);
      // quarantined = the lookalike ones; nothing held went upstream and nothing deliverable was held
      expect(inQuarantine.size).toBe(messages.filter((m) => m.to[0]!.endsWith('@gmial.com')).length);
      for (const id of inQuarantine.keys()) expect(atSink.has(id)).toBe(false);
      // duplicates only from the "accepted but our 250 was lost" window
      expect(dupSink + dupQuarantine).toBeLessThanOrEqual(droppedAfterData);
      // nothing reached the upstream that no client sent
      expect([...atSink.keys()].every((id) => messages.some((m) => m.messageId === id))).toBe(true);
    } finally {
      await relay.kill('SIGKILL');
      await sink.close();
    }
  }, 240_000);
});
