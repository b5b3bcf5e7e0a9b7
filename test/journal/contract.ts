/** Behaviour both journal backends share: append, per-customer and per-reference queries, stats, pruning. */
import { expect, it } from 'vitest';
import type { Journal } from '../../src/journal/journal.js';
import type { JournalEntry } from '../../src/journal/types.js';

export function entry(over: Partial<JournalEntry> & Pick<JournalEntry, 'ref' | 'event' | 'time'>): JournalEntry {
  return {
    action: 'quarantine',
    rules: ['foreign-data'],
    customers: ['C001'],
    kinds: ['imei'],
    recipients: ['m•••@gmail.com'],
    actor: 'relay',
    ...over,
  };
}

export function journalContract(open: () => Promise<Journal>): void {
  it('answers per customer and per reference with the whole history, actors included', async () => {
    const j = await open();
    const t = (min: number) => new Date(Date.UTC(2026, 0, 10, 12, min)).toISOString();
    await j.append(entry({ ref: 'REF1', event: 'verdict', time: t(0) }));
    await j.append(entry({ ref: 'REF1', event: 'held', time: t(1), delivered: false, reply: 250 }));
    await j.append(
      entry({
        ref: 'REF2',
        event: 'verdict',
        time: t(2),
        action: 'deliver',
        rules: [],
        customers: ['C002'],
        kinds: ['order_id'],
      }),
    );
    await j.append(
      entry({
        ref: 'REF2',
        event: 'delivered',
        time: t(3),
        action: 'deliver',
        rules: [],
        customers: ['C002'],
        kinds: ['order_id'],
        delivered: true,
      }),
    );
    await j.append(entry({ ref: 'REF3', event: 'verdict', time: t(4), action: 'reject', customers: ['C001', 'C003'] }));
    await j.append(
      entry({
        ref: 'REF3',
        event: 'rejected',
        time: t(5),
        action: 'reject',
        customers: ['C001', 'C003'],
        delivered: false,
        reply: 550,
      }),
    );
    // an action two days later, in another day file / much later row
    await j.append(
      entry({
        ref: 'REF1',
        event: 'released',
        time: new Date(Date.UTC(2026, 0, 12, 9)).toISOString(),
        actor: 'cli:alice',
        delivered: true,
      }),
    );

    const c1 = await j.byCustomer('C001');
    expect(c1.map((h) => h.ref)).toEqual(['REF1', 'REF3']);
    expect(c1[0]).toMatchObject({
      ref: 'REF1',
      action: 'quarantine',
      status: 'released',
      delivered: true,
      recipients: ['m•••@gmail.com'],
    });
    expect(c1[0]!.events.map((e) => [e.event, e.actor])).toEqual([
      ['verdict', 'relay'],
      ['held', 'relay'],
      ['released', 'cli:alice'],
    ]);
    expect(c1[1]).toMatchObject({ ref: 'REF3', status: 'rejected', delivered: false, customers: ['C001', 'C003'] });
    expect((await j.byCustomer('C002')).map((h) => [h.ref, h.status, h.delivered])).toEqual([
      ['REF2', 'delivered', true],
    ]);
    expect(await j.byCustomer('C999')).toEqual([]);
    // since: REF1's verdict is before it, but the release after it names the customer too
    expect((await j.byCustomer('C001', new Date(Date.UTC(2026, 0, 11)))).map((h) => h.ref)).toEqual(['REF1']);

    const r3 = await j.byReference('REF3');
    expect(r3).toMatchObject({ ref: 'REF3', action: 'reject', status: 'rejected', kinds: ['imei'] });
    expect(await j.byReference('NOPE')).toBeNull();

    const stats = await j.stats();
    expect(stats).toMatchObject({
      messages: 3,
      byAction: { quarantine: 1, deliver: 1, reject: 1 },
      byStatus: { released: 1, delivered: 1, rejected: 1 },
      actions: { released: 1 },
      customersAffected: 2,
    });
    expect(stats.rules['foreign-data']).toBe(2);
    await j.close();
  });

  it('prunes what is older than the retention and keeps the rest', async () => {
    const j = await open();
    const now = new Date();
    const old = new Date(now.getTime() - j.retentionMs - 3 * 86_400_000).toISOString();
    await j.append(entry({ ref: 'OLD', event: 'verdict', time: old }));
    await j.append(entry({ ref: 'NEW', event: 'verdict', time: now.toISOString() }));
    expect(await j.prune(now)).toBeGreaterThanOrEqual(1);
    expect(await j.byReference('OLD')).toBeNull();
    expect(await j.byReference('NEW')).not.toBeNull();
    await j.close();
  });

  it('survives concurrent appends: every entry exactly once', async () => {
    const j = await open();
    const time = new Date().toISOString();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        j.append(entry({ ref: `C${i}`, event: 'verdict', time, customers: ['CONC'] })),
      ),
    );
    const got = await j.byCustomer('CONC');
    expect(got.length).toBe(200);
    expect(new Set(got.map((h) => h.ref)).size).toBe(200);
    await j.close();
  });
}
