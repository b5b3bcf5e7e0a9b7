#!/usr/bin/env node
/**
 * Offline diagnosis of a labelled corpus folder (written by PG_ML_CORPUS_OUT, see test/corpus/multilingual/index.ts):
 * every message through parse → detect → decide with its labelled envelope; prints the messages whose verdict
 * differs from the label, with the rules and the findings (kind, strength, source; masked values only).
 *
 *   npm run build --silent && node scripts/corpus-diag.mjs /tmp/ml [ID-PREFIX…]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDirectory } from '../dist/src/directory/index.js';
import { loadPolicies } from '../dist/src/decide/index.js';
import { decideScan, scanMessage } from '../dist/src/inspect/inspector.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

const [dir, ...only] = process.argv.slice(2);
const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8'));
const directory = await openDirectory({ dataDir: mkdtempSync(join(tmpdir(), 'pg-diag-')), follow: false });
await directory.import(join(dir, 'customers.csv'));
const policy = await loadPolicies(new URL('../policies', import.meta.url).pathname);
const internalDomains = ['support.example'];
const say = (line) => process.stdout.write(line + '\n');
const stopped = (a) => a === 'quarantine' || a === 'reject';
let wrong = 0;
for (const [id, l] of Object.entries(labels)) {
  if (only.length && !only.some((p) => id.startsWith(p))) continue;
  const raw = readFileSync(join(dir, 'eml', id + '.eml'));
  const env = l.envelope;
  const scan = await scanMessage(raw, env, { directory, internalDomains });
  const v = await decideScan(scan, env, { directory, internalDomains, policy: () => policy, monitor: false });
  const want = l.expected === 'refused' ? 'quarantine' : l.expected;
  const ok = stopped(want) === stopped(v.action);
  if (ok && !only.length) continue;
  wrong += ok ? 0 : 1;
  say(`${ok ? 'ok ' : 'BAD'} ${id} [${l.form}] expected ${l.expected} got ${v.action} ${v.rules.join(',')}`);
  for (const f of scan.detection.findings)
    say(`      ${f.kind}:${f.strength} ${f.source} ${f.customers.join('/')} ${f.masked}`);
  for (const u of scan.detection.unscannable) say(`      unscannable ${u.source} ${u.reason}`);
  say(
    `      rcpt ${scan.detection.recipients.map((r) => `${r.internal ? 'int' : 'ext'}:${r.customers.join('/')}`).join(' ')}`,
  );
}
say(`${wrong} wrong`);
await directory.close();
