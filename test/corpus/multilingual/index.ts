/**
 * The multilingual labelled corpus (issue 17): customers in 13 countries (US GB DE FR ES IT PT NL PL TR VN SE
 * RU) written the way CRMs export them, and ~700 outbound mails as agents and CRMs write them, each labelled
 * with its class of issue 17 (address, name, iban-card, combined, lookalike, idn, links, headers, routing,
 * import, charset, plus `plain`), leak or legit, and the expected outcome (deliver | tag | quarantine | reject |
 * refused at RCPT). Deterministic from the seed. Nothing here imports postguard's detector or directory.
 *
 * Write it to a folder and scan it with the CLI:
 *
 *   PG_ML_CORPUS_OUT=/tmp/ml npx vitest run test/corpus/multilingual.test.ts -t 'writes'
 *   npm run build --silent
 *   node dist/src/cli/main.js directory import /tmp/ml/customers.csv --data-dir /tmp/ml/data
 *   node dist/src/cli/main.js scan --data-dir /tmp/ml/data --internal-domain support.example \
 *        --from help@support.example --to <rcpt from labels.json> /tmp/ml/eml/ml0000-address.eml
 *
 * (`labels.json` holds, per message id: class, group, expected outcome, form and envelope; `scan` without --to
 * takes the recipients from the To/Cc headers, which differs from the envelope for Bcc, header and routing cases.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { vi } from 'vitest';
import { generateCustomers, writeDirectoryCsv, type CustomerSet } from './customers.js';
import { generateMessages, type MLMessage } from './messages.js';

export type { MLMessage, Cls, Expected } from './messages.js';
export type { MCustomer, CustomerSet } from './customers.js';
export { writeDirectoryCsv } from './customers.js';
export { AGENT, INTERNAL } from './messages.js';

export interface MultilingualCorpus {
  set: CustomerSet;
  messages: MLMessage[];
}

export async function generateMultilingualCorpus(seed = 20240917): Promise<MultilingualCorpus> {
  // ZIP-based attachments (XLSX) carry their build time: a fixed clock keeps the corpus byte-identical
  vi.useFakeTimers({ toFake: ['Date'], now: new Date('2024-09-17T08:00:00Z') });
  try {
    const set = generateCustomers(28, seed);
    return { set, messages: await generateMessages(set, seed) };
  } finally {
    vi.useRealTimers();
  }
}

/** eml files + customers.csv + labels.json, for `postguard scan` / `policy test`. */
export function writeCorpusFolder(corpus: MultilingualCorpus, dir: string): void {
  mkdirSync(join(dir, 'eml'), { recursive: true });
  writeDirectoryCsv(corpus.set.customers, dir);
  const labels: Record<string, Omit<MLMessage, 'raw' | 'id'>> = {};
  for (const m of corpus.messages) {
    writeFileSync(join(dir, 'eml', `${m.id}.eml`), m.raw);
    labels[m.id] = { cls: m.cls, group: m.group, expected: m.expected, form: m.form, envelope: m.envelope };
  }
  writeFileSync(join(dir, 'labels.json'), JSON.stringify(labels, null, 1));
}
