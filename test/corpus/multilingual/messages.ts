/**
 * Labelled messages of the multilingual corpus, by class of issue 17 (1–11) plus `plain`: for every class leak
 * cases and near-miss cases that must be delivered (the recipient's own data in every form, households,
 * namesakes, numbers that only look like identifiers, real domains near providers). Labels follow the product
 * brief's decision semantics; `form` names the form used (never a value), for the report.
 */
import { domainToASCII } from 'node:url';
import { Faker, base, en } from '@faker-js/faker';
import { makePdf, makeXlsx } from '../../parse/fixtures.js';
import {
  COUNTRIES,
  LANG,
  LEGACY_CHARSET,
  ORG,
  PHRASES,
  formatPhone,
  ibanCheck,
  printIban,
  type CC,
} from './countries.js';
import { asciiFold, formatCard, formatImei, type CustomerSet, type MCustomer } from './customers.js';
import { buildMime, encodeText, ew, mailbox, type Attachment, type BodySpec } from './mime.js';

export type Cls =
  | 'address'
  | 'name'
  | 'iban-card'
  | 'combined'
  | 'lookalike'
  | 'idn'
  | 'links'
  | 'headers'
  | 'routing'
  | 'import'
  | 'charset'
  | 'plain';
export type Expected = 'deliver' | 'tag' | 'quarantine' | 'reject' | 'refused';

export interface MLMessage {
  id: string;
  cls: Cls;
  group: 'leak' | 'legit';
  expected: Expected;
  /** The form exercised, without values (e.g. "TR street form 2, QP width 41"). */
  form: string;
  envelope: { mailFrom: string; rcptTo: string[]; smtputf8?: boolean };
  raw: Buffer;
}

export const AGENT = 'help@support.example';
export const INTERNAL = ['support.example'];
const AGENTS = ['Sam', 'Jo', 'Alex', 'Robin', 'Kim', 'Chris', 'Ana', 'Piotr', 'Elif', 'Minh'];

interface Ctx {
  f: Faker;
  set: CustomerSet;
  /** Global message number. */
  i: number;
  /** Number within its maker. */
  n: number;
}
type Made = Omit<MLMessage, 'id' | 'cls' | 'group'>;
type Maker = (ctx: Ctx) => Promise<Made> | Made;

// ---- helpers --------------------------------------------------------------------------------------------

const cc = (ctx: Ctx, offset = 0): CC => COUNTRIES[(ctx.n + offset) % COUNTRIES.length]!;

function partnersOf(set: CustomerSet, c: MCustomer): Set<string> {
  const s = new Set([c.id]);
  for (const [a, b] of [...set.households, ...set.namesakes]) if (a === c.id || b === c.id) s.add(a).add(b);
  return s;
}

function customerIn(ctx: Ctx, country: CC, where: (c: MCustomer) => boolean = () => true): MCustomer {
  const xs = ctx.set.customers.filter((c) => c.country === country && where(c));
  return ctx.f.helpers.arrayElement(xs.length ? xs : ctx.set.customers.filter(where));
}

/** Another customer (same country unless none fits), never the recipient's household member or namesake. */
function other(
  ctx: Ctx,
  c: MCustomer,
  where: (o: MCustomer) => boolean = () => true,
  country: CC = c.country,
): MCustomer {
  const bad = partnersOf(ctx.set, c);
  return customerIn(ctx, country, (o) => !bad.has(o.id) && !o.oddStreet && where(o));
}

/** The address the recipient is mailed at (Unicode spelling for IDN customers when `unicode`). */
function mailAddr(c: MCustomer, unicode = false): string {
  return c.idn ? (unicode ? c.idn.unicode : c.idn.ascii) : c.email;
}

function greet(c: MCustomer, v: number, nameForm?: string): string {
  const p = PHRASES[LANG[c.country]];
  const name = nameForm ?? c.fullName;
  if (v % 3 === 2 && nameForm === undefined) return p.hi.replace('{n}', c.first);
  const t = c.gender === 'f' ? p.titleF : p.titleM;
  return (c.gender === 'f' ? p.dearF : p.dearM)
    .replace('{t}', t)
    .replace('{n}', name)
    .replace(/\s+,/, ',')
    .replace(/\s{2,}/g, ' ');
}

function sig(country: CC, ctx: Ctx): string {
  const p = PHRASES[LANG[country]];
  const o = ORG[country];
  return `\n\n${p.regards}\n${ctx.f.helpers.arrayElement(AGENTS)}\nExample Shop\n${o.line}\n${o.phone}\nhttps://www.shop.example/help`;
}

const VN_DISTRICT = ['1', '3', '5', 'Ba Đình', 'Hải Châu', 'Ngô Quyền'];

/** The address block in the country's order; `street` is one of the customer's street forms. */
export function addressBlock(c: MCustomer, street: string, multiline = false): string {
  const sep = multiline ? '\n' : ', ';
  switch (c.country) {
    case 'US':
      return `${street}${sep}${c.city}, ${c.region} ${c.postal}`;
    case 'GB':
      return `${street}${sep}${c.city} ${c.postal}`;
    case 'IT':
      return `${street}${sep}${c.postal} ${c.city} (${c.region})`;
    case 'TR':
      return `${street}${sep}${c.postal} ${c.cityDisplay}`;
    case 'VN':
      return `${street}${sep}Quận ${VN_DISTRICT[c.street.length % VN_DISTRICT.length]}, ${c.cityDisplay}`;
    case 'RU':
      return `${c.postal}, г. ${c.city}${sep}${street}`;
    default:
      return `${c.postal.length ? `${street}${sep}${c.postal} ${c.city}` : street}`;
  }
}

const phoneOf = (c: MCustomer, v: number): string => formatPhone(c.country, c.nsn, v % 2 ? 'intl' : 'national', v >> 1);
const lastFirst = (c: MCustomer): string => (c.country === 'VN' ? c.fullName : `${c.last}, ${c.first}`);
const upper = (s: string, country: CC): string => s.toLocaleUpperCase(country === 'TR' ? 'tr-TR' : 'en');

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A helpdesk HTML template around plain paragraphs. */
function htmlOf(text: string, extra = ''): string {
  return (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><style>p{font-family:Arial}</style></head><body><table width="600" cellpadding="0"><tr><td>' +
    text
      .split(/\n\n+/)
      .map((p) => `<p>${esc(p).replace(/\n/g, '<br>\n')}</p>`)
      .join('\n') +
    extra +
    '</td></tr></table></body></html>'
  );
}

interface MsgOpts {
  to: string[];
  cc?: string[];
  subject: string;
  body: BodySpec;
  extraHeaders?: string[];
  rcpt: string[];
  subjectCharset?: string;
}

function message(ctx: Ctx, o: MsgOpts): { raw: Buffer; envelope: MLMessage['envelope'] } {
  const headers = [
    `From: Example Shop <${AGENT}>`,
    `To: ${o.to.join(', ')}`,
    ...(o.cc?.length ? [`Cc: ${o.cc.join(', ')}`] : []),
    `Subject: ${ew(o.subject, o.subjectCharset ?? 'utf-8')}`,
    `Date: ${new Date(Date.UTC(2024, 8, 17, 8, 0) + ctx.i * 60_000).toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <ml-${ctx.i}@support.example>`,
    ...(o.extraHeaders ?? []),
  ];
  const raw = buildMime(headers, o.body, `b${ctx.i}`);
  // eslint-disable-next-line no-control-regex
  const smtputf8 = o.rcpt.some((r) => /[^\x00-\x7f]/.test(r));
  return { raw, envelope: { mailFrom: AGENT, rcptTo: o.rcpt, ...(smtputf8 ? { smtputf8 } : {}) } };
}

/** A plain mail to a customer in their language. */
function toCustomer(
  ctx: Ctx,
  c: MCustomer,
  subject: string,
  text: string,
  extra: Partial<MsgOpts> & { html?: boolean; charset?: string; cte?: BodySpec['cte']; qpWidth?: number } = {},
): { raw: Buffer; envelope: MLMessage['envelope'] } {
  const body: BodySpec = extra.html
    ? {
        html: htmlOf(text),
        ...(ctx.n % 2 ? { text } : {}),
        charset: extra.charset,
        cte: extra.cte,
        qpWidth: extra.qpWidth,
        attachments: extra.body?.attachments,
      }
    : { text, charset: extra.charset, cte: extra.cte, qpWidth: extra.qpWidth, attachments: extra.body?.attachments };
  return message(ctx, {
    to: extra.to ?? [mailbox(c.fullName, mailAddr(c))],
    cc: extra.cc,
    subject,
    body,
    extraHeaders: extra.extraHeaders,
    rcpt: extra.rcpt ?? [mailAddr(c)],
    subjectCharset: extra.subjectCharset,
  });
}

const P = (c: MCustomer) => PHRASES[LANG[c.country]];
const fill = (s: string, x: string): string => s.replace('{x}', x);

function badIban(f: Faker, country: CC): string {
  const bban = f.string.numeric(country === 'DE' ? 18 : 20);
  const good = ibanCheck(country, bban);
  const bad = String((Number(good) + 1 + f.number.int(40)) % 97).padStart(2, '0');
  return country + (bad === good ? String((Number(good) + 50) % 97).padStart(2, '0') : bad) + bban;
}

function nonLuhn16(f: Faker): string {
  const body = '4' + f.string.numeric(14);
  let s = 0;
  for (let k = 0; k < 15; k++) {
    let x = Number(body[14 - k]);
    if (k % 2 === 0) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
    s += x;
  }
  const good = (10 - (s % 10)) % 10;
  return body + String((good + 3) % 10);
}

function tracking(f: Faker): string {
  return f.helpers.arrayElement([
    () => `1Z${f.string.alphanumeric({ length: 6, casing: 'upper' })}${f.string.numeric(10)}`,
    () => `JJD${f.string.numeric(15)}`,
    () => `LX${f.string.numeric(9)}DE`,
    () => `00340434${f.string.numeric(10)}`,
  ])();
}

/** The organisation's own bank account (valid mod-97, not a customer's). */
function orgIban(country: CC): string | undefined {
  const bban: Partial<Record<CC, string>> = {
    DE: '100100100006820101',
    NL: 'ABNA0417164300',
    FR: '3000400003000101010109',
    ES: '21000418450200051332',
    IT: 'X0542811101000000123456',
    PL: '109010140000071219812874',
    GB: 'NWBK60161331926819',
  };
  const b = bban[country];
  return b ? country + ibanCheck(country, b) + b : undefined;
}

const allStreetForms = (set: CustomerSet): Set<string> =>
  new Set(set.customers.flatMap((c) => c.streetForms.map((s) => s.toLowerCase())));

// ---- 1. street addresses in local forms -----------------------------------------------------------------

const LAYOUTS = ['one line', 'multi-line', 'html table', 'qp cut', 'street split'] as const;

function addressText(who: MCustomer, form: number, layout: (typeof LAYOUTS)[number]): string {
  const street = who.streetForms[form % who.streetForms.length]!;
  if (layout === 'street split') {
    const m = /^(.*?\p{L}[.]?)\s+((?:No|Số|nº|n\.º|\d).*)$/u.exec(street);
    const split = m ? `${m[1]}\n${m[2]}` : street;
    return addressBlock(who, split, true);
  }
  return addressBlock(who, street, layout !== 'one line' && layout !== 'qp cut');
}

const addressLeak: Maker = (ctx) => {
  const country = cc(ctx);
  const c = customerIn(ctx, country);
  const o = other(ctx, c);
  const form = ctx.n >> 1;
  const layout = LAYOUTS[ctx.n % LAYOUTS.length]!;
  const p = P(c);
  const addr = addressText(o, form, layout);
  const text = `${greet(c, ctx.n)}\n\n${p.thanks} ${p.shipTo}\n${addr}` + sig(c.country, ctx);
  const m = toCustomer(ctx, c, p.subjOrder, text, {
    html: layout === 'html table',
    cte: layout === 'qp cut' ? 'quoted-printable' : ctx.n % 3 ? '8bit' : 'quoted-printable',
    qpWidth: layout === 'qp cut' ? 23 + (ctx.n % 29) : 76,
  });
  return { ...m, expected: 'quarantine', form: `${o.country} street form ${form % o.streetForms.length}, ${layout}` };
};

const addressOwn: Maker = (ctx) => {
  const country = cc(ctx);
  const c = customerIn(ctx, country, (x) => !x.oddStreet);
  const form = ctx.n >> 1;
  const layout = LAYOUTS[(ctx.n + 2) % LAYOUTS.length]!;
  const p = P(c);
  const text =
    `${greet(c, ctx.n)}\n\n${p.thanks} ${p.shipTo}\n${addressText(c, form, layout)}\n\n${fill(p.order, c.orderId)}` +
    sig(c.country, ctx);
  const m = toCustomer(ctx, c, `${p.subjOrder} ${c.orderId}`, text, {
    html: layout === 'html table',
    qpWidth: layout === 'qp cut' ? 31 : 76,
  });
  return {
    ...m,
    expected: 'deliver',
    form: `own address, ${c.country} street form ${form % c.streetForms.length}, ${layout}`,
  };
};

const addressHousehold: Maker = (ctx) => {
  const [a, b] = ctx.set.households[ctx.n % ctx.set.households.length]!;
  const c = ctx.set.customers.find((x) => x.id === (ctx.n % 2 ? a : b))!;
  const p = P(c);
  const text =
    `${greet(c, ctx.n)}\n\n${p.shipTo}\n${addressBlock(c, c.streetForms[ctx.n % c.streetForms.length]!, ctx.n % 2 === 0)}\n${fill(p.order, c.orderId)}` +
    sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, p.subjOrder, text),
    expected: 'deliver',
    form: `household member's shared address (${c.country})`,
  };
};

const addressNearMiss: Maker = (ctx) => {
  const country = cc(ctx);
  const c = customerIn(ctx, country, (x) => !x.oddStreet);
  const forms = allStreetForms(ctx.set);
  const o = other(ctx, c, (x) => !!x.otherNumber && !forms.has(x.otherNumber.toLowerCase()));
  const p = P(c);
  // another customer's street with another house number, in their city: a shop, a pickup point — not an address of anyone
  const text =
    `${greet(c, ctx.n)}\n\n${p.thanks}\nPickup point / Abholstation / Punto de recogida:\n${addressBlock(o, o.otherNumber)}\n\n${fill(p.order, c.orderId)}` +
    sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, p.subjOrder, text),
    expected: 'deliver',
    form: `${o.country} same street, other house number, same postal code`,
  };
};

// ---- 2. names ---------------------------------------------------------------------------------------------

const NAME_FORMS = ['natural', 'as CRM holds it', 'ALL CAPS', 'Last, First'] as const;
function nameForm(c: MCustomer, k: number): string {
  return [c.fullName, c.csvName, upper(c.fullName, c.country), lastFirst(c)][k % 4]!;
}

const greetingDrift: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx));
  const o = other(ctx, c);
  const k = ctx.n % 4;
  const p = P(c);
  const text = `${greet(o, 0, nameForm(o, k))}\n\n${p.thanks} ${p.notice}` + sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, p.subjReturn, text, { html: ctx.n % 3 === 0 }),
    expected: 'quarantine',
    form: `${o.country} greeting with title, name ${NAME_FORMS[k]} (${o.csvName === o.fullName ? 'csv natural' : 'csv LAST, First/CAPS'})`,
  };
};

const ownNameForms: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx));
  const k = ctx.n % 4;
  const p = P(c);
  const text =
    `${greet(c, 0, nameForm(c, k))}\n\n${p.thanks}\n${p.customer}: ${nameForm(c, k + 1)}\n${fill(p.order, c.orderId)}` +
    sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, p.subjOrder, text),
    expected: 'deliver',
    form: `own name ${NAME_FORMS[k]} + ${NAME_FORMS[(k + 1) % 4]}`,
  };
};

const namesake: Maker = (ctx) => {
  const [a, b] = ctx.set.namesakes[ctx.n % ctx.set.namesakes.length]!;
  const c = ctx.set.customers.find((x) => x.id === (ctx.n % 2 ? a : b))!;
  const p = P(c);
  const text =
    `${greet(c, 0, nameForm(c, ctx.n))}\n\n${p.thanks} ${fill(p.order, c.orderId)}\n${p.customer}: ${c.fullName}` +
    sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, `${p.subjOrder} ${c.orderId}`, text),
    expected: 'deliver',
    form: `namesake (two customers with this name), name ${NAME_FORMS[ctx.n % 4]}`,
  };
};

const LONG_FIRST: Record<string, string> = {
  en: 'we checked the shipment and the courier confirmed the delivery attempt; the parcel is now at the local depot and will be handed over tomorrow morning between 8:00 and 12:00. If that does not suit you, you can choose another slot online.',
  de: 'wir haben die Sendung geprüft und der Zusteller hat den Zustellversuch bestätigt; das Paket liegt jetzt im Depot und wird morgen zwischen 8 und 12 Uhr zugestellt. Wenn Ihnen das nicht passt, können Sie online einen anderen Termin wählen.',
};

const weakForeignName: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx));
  const o = other(ctx, c, (x) => x.city !== c.city);
  const p = P(c);
  const k = ctx.n % 4;
  const long = LONG_FIRST[LANG[c.country]] ?? LONG_FIRST.en!;
  const text =
    `${greet(c, ctx.n)}\n\n${p.thanks} ${long}\n\n${fill(p.order, c.orderId)} Gift message / Geschenknachricht: "${nameForm(o, k)}"` +
    sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, p.subjOrder, text),
    expected: 'tag',
    form: `third-party full name alone (${NAME_FORMS[k]})`,
  };
};

// ---- 3. IBAN and cards ------------------------------------------------------------------------------------

const IBAN_FORMS = ['compact', 'printed', 'printed lower-case', 'IBAN: prefix, compact'] as const;
function ibanForm(iban: string, k: number): string {
  return [iban, printIban(iban), printIban(iban, true), `IBAN: ${iban}`][k % 4]!;
}

const ibanLeak: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx));
  const withIban = ctx.n % 3 !== 2;
  const o = other(
    ctx,
    c,
    (x) => (withIban ? !!x.iban : true),
    withIban ? (c.country === 'US' || c.country === 'VN' || c.country === 'RU' ? 'DE' : c.country) : c.country,
  );
  const p = P(c);
  const k = ctx.n >> 1;
  const value = withIban ? ibanForm(o.iban!, k) : formatCard(o.card, k);
  const text = `${greet(c, ctx.n)}\n\n${p.thanks} ${fill(withIban ? p.refund : p.card, value)}` + sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, p.subjReturn, text, { html: ctx.n % 4 === 1 }),
    expected: 'quarantine',
    form: withIban
      ? `${o.country} IBAN ${IBAN_FORMS[k % 4]}`
      : `card ${o.card.length} digits grouping ${k % (o.card.length === 15 ? 3 : 4)}`,
  };
};

const ibanOwn: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx), (x) => !!x.iban);
  const p = P(c);
  const k = ctx.n >> 1;
  const text =
    `${greet(c, ctx.n)}\n\n${p.thanks} ${fill(p.refund, ibanForm(c.iban!, k))}\n${fill(p.card, formatCard(c.card, k))}` +
    sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, p.subjReturn, text),
    expected: 'deliver',
    form: `own IBAN ${IBAN_FORMS[k % 4]} + own card`,
  };
};

const ibanLookalikes: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx));
  const p = P(c);
  const country: CC = c.iban ? c.country : 'DE';
  const bad = badIban(ctx.f, country);
  const org = orgIban(country);
  const text =
    `${greet(c, ctx.n)}\n\n${p.thanks} ${fill(p.order, c.orderId)}\n` +
    `${p.total}: ${ctx.f.number.int({ min: 1000, max: 99999 })},${ctx.f.string.numeric(2)} EUR · ${p.tracking}: ${tracking(ctx.f)}\n` +
    `Ref. ${ctx.n % 2 ? printIban(bad) : bad} · Voucher ${nonLuhn16(ctx.f).replace(/(.{4})(?!$)/g, '$1 ')}\n` +
    (org ? `Bank / Bankverbindung Example Shop: ${printIban(org)}` : '') +
    sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, `${p.subjOrder} ${c.orderId}`, text),
    expected: 'deliver',
    form: 'IBAN with bad check digits, non-Luhn 16 digits, totals, tracking, organisation IBAN',
  };
};

// ---- 4. combined evidence ---------------------------------------------------------------------------------

const combinedLeak: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx));
  const o = other(ctx, c, (x) => x.city !== c.city);
  const p = P(c);
  const withPostal = ctx.n % 2 === 0;
  const name = ctx.n % 4 === 1 ? lastFirst(o) : o.fullName;
  const place = withPostal ? `${o.postal} ${o.cityDisplay}` : o.cityDisplay;
  const text = `${greet(c, ctx.n)}\n\n${p.thanks} ${p.customer}: ${name}, ${place}.\n${p.notice}` + sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, p.subjOrder, text),
    expected: 'quarantine',
    form: `${o.country} full name (${ctx.n % 4 === 1 ? 'Last, First' : 'natural'}) + ${withPostal ? 'postal code and city' : 'city only'}`,
  };
};

const combinedOwn: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx));
  const p = P(c);
  const text =
    `${greet(c, ctx.n)}\n\n${p.customer}: ${c.fullName}, ${c.postal} ${c.cityDisplay}. ${fill(p.order, c.orderId)}` +
    sig(c.country, ctx);
  return { ...toCustomer(ctx, c, p.subjOrder, text), expected: 'deliver', form: 'own name + own postal code and city' };
};

const combinedOtherCity: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx));
  // the third party's name must not also be the name of someone living in the recipient's city (a namesake
  // there would make name + city that namesake's combined evidence, rightly held)
  const o = other(
    ctx,
    c,
    (x) => x.city !== c.city && !ctx.set.customers.some((y) => y.fullName === x.fullName && y.city === c.city),
  );
  const p = P(c);
  const long = LONG_FIRST[LANG[c.country]] ?? LONG_FIRST.en!;
  // another customer's name next to the recipient's city: a name alone (weak), not combined evidence
  const text =
    `${greet(c, ctx.n)}\n\n${long}\n\n${p.customer}: ${c.cityDisplay} — Gift from / Geschenk von ${o.fullName}.` +
    sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, p.subjOrder, text),
    expected: 'tag',
    form: "third-party name next to the recipient's city",
  };
};

// ---- 5. lookalike recipients ------------------------------------------------------------------------------

const TYPOS = [
  'gmial.com',
  'gmaill.com',
  'hotmial.com',
  'hotmali.fr',
  'outlok.com',
  'outllook.es',
  'yahooo.es',
  'gmail.con',
  'libreo.it',
  'liberoo.it',
  't-onlien.de',
  'orang.fr',
  'inteira.pl',
  'yandexx.ru',
  'hotmail.co.uj',
  'web.dee',
];
const HOMOGLYPHS = ['gmaіl.com', 'outlооk.com', 'hotmai1.com', 'rnail.ru', 'grnx.de', 'yаhoo.es'];
const COMPANY_TYPOS = ['acme-werkzeug.de', 'acme-werkzeuqe.de', 'acrne-werkzeuge.de', 'acme-werkzeuge.com'];

const lookalikeLeak: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx), (x) => !x.idn);
  const local = c.email.split('@')[0]!;
  const k = ctx.n % 5;
  const domain =
    k < 3
      ? TYPOS[ctx.n % TYPOS.length]!
      : k === 3
        ? HOMOGLYPHS[ctx.n % HOMOGLYPHS.length]!
        : COMPANY_TYPOS[ctx.n % COMPANY_TYPOS.length]!;
  const ascii = domainToASCII(domain);
  const to = `${local}@${ascii}`;
  const p = P(c);
  const withData = ctx.n % 2 === 0;
  const text =
    `${greet(c, ctx.n)}\n\n${p.thanks} ${withData ? `${fill(p.order, c.orderId)} ${fill(p.callback, phoneOf(c, ctx.n))}` : p.notice}` +
    sig(c.country, ctx);
  const m = toCustomer(ctx, c, p.subjOrder, text, { to: [mailbox(c.fullName, to)], rcpt: [to] });
  return {
    ...m,
    expected: 'quarantine',
    form: `${k < 3 ? 'provider typo' : k === 3 ? 'homoglyph' : 'directory-domain typo'} ${domain}${withData ? ' + own data' : ''}`,
  };
};

const PROVIDER_COUNTRY =
  /@(hotmail\.(be|es|it|fr|se|nl|co\.uk)|gmx\.(at|ch)|wp\.pl|o2\.pl|interia\.pl|onet\.pl|libero\.it|virgilio\.it|alice\.it|live\.(se|nl)|yandex\.(ru|com\.tr)|outlook\.(es|pt|com\.tr)|yahoo\.(es|co\.uk|com\.vn)|telenet\.be|sapo\.pt|mail\.ru|bk\.ru|telia\.com|libera\.it|lime\.nl|orage\.fr|gmxx\.de|yahoo-inc\.es|onet\.eu|acme-werkzeuge\.de)$/;

const lookalikeLegit: Maker = (ctx) => {
  const pool = ctx.set.customers.filter((x) => PROVIDER_COUNTRY.test(x.email));
  const c = pool[(ctx.n * 7) % pool.length]!;
  const p = P(c);
  const text =
    `${greet(c, ctx.n)}\n\n${p.thanks} ${fill(p.order, c.orderId)} ${fill(p.callback, phoneOf(c, ctx.n))}` +
    sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, `${p.subjOrder} ${c.orderId}`, text),
    expected: 'deliver',
    form: `customer at ${c.email.split('@')[1]} (provider country domain / real domain near a provider / directory domain)`,
  };
};

// ---- 6. IDN -----------------------------------------------------------------------------------------------

const idnCustomers = (ctx: Ctx): MCustomer[] => ctx.set.customers.filter((x) => x.idn);

const idnOwn: Maker = (ctx) => {
  const pool = idnCustomers(ctx);
  const c = pool[ctx.n % pool.length]!;
  const dirUnicode = c.email === c.idn!.unicode;
  // the envelope uses the other spelling than the directory half of the time; headers the other way round
  const envUnicode = ctx.n % 2 === 0 ? !dirUnicode : dirUnicode;
  const rcpt = envUnicode ? c.idn!.unicode : c.idn!.ascii;
  const p = P(c);
  const text =
    `${greet(c, ctx.n)}\n\n${p.thanks} ${fill(p.order, c.orderId)} ${fill(p.confirmation, ctx.n % 3 ? c.idn!.unicode : c.idn!.ascii)} ${fill(p.callback, phoneOf(c, ctx.n))}` +
    sig(c.country, ctx);
  const m = toCustomer(ctx, c, `${p.subjOrder} ${c.orderId}`, text, {
    to: [mailbox(c.fullName, ctx.n % 3 === 1 ? c.idn!.unicode : c.idn!.ascii)],
    rcpt: [rcpt],
  });
  return {
    ...m,
    expected: 'deliver',
    form: `own data to IDN customer: directory ${dirUnicode ? 'Unicode' : 'punycode'}, envelope ${envUnicode ? 'Unicode (SMTPUTF8)' : 'punycode'}`,
  };
};

const idnLeak: Maker = (ctx) => {
  const pool = idnCustomers(ctx);
  const k = ctx.n % 3;
  if (k === 0) {
    const c = pool[ctx.n % pool.length]!;
    const o = other(ctx, c);
    const p = P(c);
    const text =
      `${greet(c, ctx.n)}\n\n${fill(p.callback, phoneOf(o, ctx.n))} ${fill(p.order, o.orderId)}` + sig(c.country, ctx);
    return {
      ...toCustomer(ctx, c, p.subjOrder, text, { rcpt: [ctx.n % 2 ? c.idn!.unicode : c.idn!.ascii] }),
      expected: 'quarantine',
      form: "another customer's phone and order to an IDN customer",
    };
  }
  const o = pool[ctx.n % pool.length]!;
  const c = other(ctx, o, (x) => !x.idn);
  const otherSpelling = o.email === o.idn!.unicode ? o.idn!.ascii : o.idn!.unicode;
  const p = P(c);
  if (k === 1) {
    const text = `${greet(c, ctx.n)}\n\n${fill(p.confirmation, otherSpelling)}` + sig(c.country, ctx);
    return {
      ...toCustomer(ctx, c, p.subjOrder, text),
      expected: 'quarantine',
      form: `IDN customer's address in the ${o.email === o.idn!.unicode ? 'punycode' : 'Unicode'} spelling (directory has the other)`,
    };
  }
  const text = `${P(c).notice}` + sig(c.country, ctx);
  const m = toCustomer(ctx, c, p.subjOrder, text, {
    to: [mailbox(c.fullName, c.email)],
    cc: [mailbox(o.fullName, o.idn!.ascii)],
    rcpt: [c.email, otherSpelling],
  });
  return {
    ...m,
    expected: 'quarantine',
    form: 'exposure: IDN customer in Cc (punycode header, envelope other spelling)',
  };
};

// ---- 7. links ----------------------------------------------------------------------------------------------

function linkMail(
  ctx: Ctx,
  c: MCustomer,
  url: string,
  label: string,
): { raw: Buffer; envelope: MLMessage['envelope'] } {
  const p = P(c);
  const text = `${greet(c, ctx.n)}\n\n${p.thanks}\n${label}: ${url}` + sig(c.country, ctx);
  if (ctx.n % 2) return toCustomer(ctx, c, p.subjOrder, text);
  const html = htmlOf(
    `${greet(c, ctx.n)}\n\n${p.thanks}` + sig(c.country, ctx),
    `<p><a href="${esc(url)}">${esc(label)}</a></p>`,
  );
  return message(ctx, {
    to: [mailbox(c.fullName, mailAddr(c))],
    subject: p.subjOrder,
    body: { html },
    rcpt: [mailAddr(c)],
  });
}

const q = encodeURIComponent;
const plus = (s: string): string => q(s).replace(/%20/g, '+');

const linkLeak: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx));
  const k = ctx.n % 9;
  if (k < 3) {
    const o = other(ctx, c);
    const url = [
      `https://www.shop.example/account?email=${q(o.email)}`,
      `https://pay.shop.example/checkout?order=${q(o.orderId)}&phone=${q(phoneOf(o, ctx.n))}`,
      `https://www.shop.example/orders/${q(o.orderId)}`,
    ][k]!;
    return {
      ...linkMail(ctx, c, url, P(c).viewOrder),
      expected: 'quarantine',
      form: `another customer's ${['email', 'order+phone', 'order id in path'][k]} in a link`,
    };
  }
  const own = [
    [
      'street address',
      `https://pay.shop.example/checkout?name=${plus(c.fullName)}&address=${plus(c.streetForms[0]!)}&zip=${q(c.postal)}&city=${plus(c.city)}`,
    ],
    ['phone', `https://pay.shop.example/p?order=${q(c.orderId)}&tel=${q(phoneOf(c, ctx.n))}`],
    ['IMEI', `https://repair.shop.example/status?imei=${c.imei}&order=${q(c.orderId)}`],
    ['card', `https://pay.shop.example/retry?card=${c.card}`],
    ['IBAN', `https://pay.shop.example/sepa?iban=${c.iban ?? c.card}&name=${plus(c.fullName)}`],
    ['name', `https://pay.shop.example/invoice/${q(c.orderId)}?customer=${plus(c.fullName)}`],
  ][k - 3]!;
  return {
    ...linkMail(ctx, c, own[1]!, P(c).viewOrder),
    expected: 'quarantine',
    form: `recipient's own ${own[0]} in a link (OnePlus)`,
  };
};

const linkOwnOk: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx));
  const k = ctx.n % 3;
  const url = [
    `https://news.shop.example/unsubscribe?email=${q(mailAddr(c, true))}&list=weekly`,
    `https://www.shop.example/orders/${q(c.orderId)}`,
    `https://www.shop.example/track?order=${q(c.orderId)}&email=${q(c.email)}&carrier=dhl&id=${tracking(ctx.f)}`,
  ][k]!;
  const p = P(c);
  return {
    ...linkMail(ctx, c, url, k === 0 ? p.unsubscribe : p.viewOrder),
    expected: 'deliver',
    form: `own ${['email in unsubscribe link', 'order id in view-order link', 'order id + email + tracking in link'][k]}`,
  };
};

// ---- 8. headers --------------------------------------------------------------------------------------------

const HEADER_FORMS = [
  'Cc header (not an envelope recipient)',
  'Reply-To',
  'X-Ticket',
  'Comments',
  'Keywords',
  'X-Customer (RFC 2047)',
  'X-Original-To',
  'To header lists a second customer',
] as const;

const headerLeak: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx));
  const o = other(ctx, c);
  const k = ctx.n % HEADER_FORMS.length;
  const extra: string[] = [];
  let ccList: string[] | undefined;
  let to = [mailbox(c.fullName, mailAddr(c))];
  if (k === 0) ccList = [mailbox(o.fullName, mailAddr(o))];
  if (k === 1) extra.push(`Reply-To: ${mailbox(o.fullName, mailAddr(o))}`);
  if (k === 2) extra.push(`X-Ticket: ${o.orderId}`);
  if (k === 3) extra.push(`Comments: ${ew(`${P(c).customer} ${phoneOf(o, ctx.n)}`)}`);
  if (k === 4) extra.push(`Keywords: ${ew(`refund, ${o.orderId}`)}`);
  if (k === 5)
    extra.push(
      `X-Customer: ${ew(o.fullName, ctx.n % 2 ? 'utf-8' : LEGACY_CHARSET[o.country], ctx.n % 4 < 2 ? 'B' : 'Q')} <${mailAddr(o)}>`,
    );
  if (k === 6) extra.push(`X-Original-To: ${mailAddr(o)}`);
  if (k === 7) to = [...to, mailbox(o.fullName, mailAddr(o))];
  const p = P(c);
  const text = `${greet(c, ctx.n)}\n\n${p.thanks} ${p.notice}` + sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, p.subjReturn, text, { to, cc: ccList, extraHeaders: extra }),
    expected: 'quarantine',
    form: `another customer's data in ${HEADER_FORMS[k]}`,
  };
};

const headerOwn: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx));
  const k = ctx.n % 6;
  const extra = [
    [`X-Ticket: ${c.orderId}`],
    [`Reply-To: Example Shop <reply+${ctx.i}@support.example>`, `X-Customer-Email: ${mailAddr(c)}`],
    [`Comments: ${ew(`${P(c).customer} ${phoneOf(c, ctx.n)}`)}`],
    [`Keywords: ${ew(`${c.orderId}, ${P(c).subjReturn}`)}`],
    [`X-Customer: ${ew(c.fullName)} <${mailAddr(c)}>`, `X-Original-To: ${mailAddr(c)}`],
    [],
  ][k]!;
  const p = P(c);
  const text = `${greet(c, ctx.n)}\n\n${p.thanks} ${fill(p.order, c.orderId)}` + sig(c.country, ctx);
  const ccList = k === 5 ? ['Team Lead <teamlead@support.example>'] : undefined;
  return {
    ...toCustomer(ctx, c, `[${c.orderId}] ${p.subjOrder}`, text, { extraHeaders: extra, cc: ccList }),
    expected: 'deliver',
    form: `own data in ${['X-Ticket', 'X-Customer-Email + internal Reply-To', 'Comments', 'Keywords', 'X-Customer + X-Original-To', 'internal Cc not in envelope'][k]}`,
  };
};

// ---- 9. routing tricks -------------------------------------------------------------------------------------

const ROUTES = [
  (l: string) => `${l}%evil-mail.example@support.example`,
  (l: string) => `evil-mail.example!${l}@support.example`,
  (l: string) => `"${l}@evil-mail.example"@support.example`,
  (l: string) => `@evil-mail.example:${l}@support.example`,
  (l: string) => `${l}%evil-mail.example@SUPPORT.example`,
];
const ROUTE_FORMS = [
  'percent hack',
  'bang path',
  'quoted local part with @',
  'source route',
  'percent hack, upper-case domain',
];

const routingLeak: Maker = (ctx) => {
  const o = customerIn(ctx, cc(ctx));
  const k = ctx.n % ROUTES.length;
  const rcpt = ROUTES[k]!(ctx.f.helpers.arrayElement(['collector', 'mbox', 'drop', 'archive']));
  const p = P(o);
  const text =
    `Hi,\n\n${p.customer}: ${o.fullName}\n${fill(p.callback, phoneOf(o, ctx.n))}\n${fill(p.confirmation, o.email)}\n${fill(p.order, o.orderId)}` +
    sig(o.country, ctx);
  const toHeader = k === 3 ? `<${rcpt.split(':')[1]}>` : `<${rcpt}>`;
  const m = message(ctx, { to: [toHeader], subject: p.subjOrder, body: { text }, rcpt: [rcpt] });
  return { ...m, expected: 'refused', form: ROUTE_FORMS[k]! };
};

const routingInternal: Maker = (ctx) => {
  const cs = ctx.f.helpers.arrayElements(ctx.set.customers, 1 + (ctx.n % 4));
  const rcpt = [
    'tier2@support.example',
    'billing+eu@support.example',
    'TeamLead@Support.Example',
    'escalations@support.example',
  ][ctx.n % 4]!;
  const body = cs
    .map(
      (c, k) =>
        `${k + 1}. ${c.fullName} <${c.email}>, ${phoneOf(c, k)}, ${c.orderId}, ${addressBlock(c, c.streetForms[0]!)}`,
    )
    .join('\n');
  const text = `Hi team,\n\nplease call these customers back:\n\n${body}\n\nThanks`;
  return {
    ...message(ctx, { to: [`<${rcpt}>`], subject: 'Escalation', body: { text }, rcpt: [rcpt] }),
    expected: 'deliver',
    form: `internal recipient ${['plain', 'plus address', 'mixed case', 'plain'][ctx.n % 4]} with customer data`,
  };
};

// ---- 10. CRM values the importer cannot take apart --------------------------------------------------------

const oddCustomers = (ctx: Ctx): MCustomer[] => ctx.set.customers.filter((x) => x.oddStreet);

const importLeak: Maker = (ctx) => {
  const pool = oddCustomers(ctx);
  const o = pool[ctx.n % pool.length]!;
  const c = customerIn(ctx, o.country, (x) => x.id !== o.id && !partnersOf(ctx.set, o).has(x.id));
  const p = P(c);
  const street = ctx.n % 3 === 1 ? upper(o.streetCsv, o.country) : o.streetCsv;
  const text =
    `${greet(c, ctx.n)}\n\n${p.thanks} ${p.shipTo}\n${addressBlock(o, street, ctx.n % 2 === 0)}` + sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, p.subjOrder, text),
    expected: 'quarantine',
    form: `${o.country} CRM street value without a parsable number${ctx.n % 3 === 1 ? ' (upper-case)' : ''}`,
  };
};

const importOwn: Maker = (ctx) => {
  const pool = oddCustomers(ctx);
  const c = pool[ctx.n % pool.length]!;
  const p = P(c);
  const text =
    `${greet(c, ctx.n)}\n\n${p.shipTo}\n${addressBlock(c, c.streetCsv, ctx.n % 2 === 1)}\n${fill(p.order, c.orderId)}` +
    sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, p.subjOrder, text),
    expected: 'deliver',
    form: `own CRM street value without a parsable number (${c.country})`,
  };
};

// ---- 11. charsets ------------------------------------------------------------------------------------------

const JA = {
  hi: '様\n\nお問い合わせいただきありがとうございます。',
  cb: 'お客様の連絡先：',
  regards: 'よろしくお願いいたします。\nExample Shop カスタマーサポート',
};

const charsetMail =
  (leak: boolean): Maker =>
  (ctx) => {
    const country = cc(ctx);
    const c = customerIn(ctx, country, (x) => !x.oddStreet);
    const who = leak ? other(ctx, c) : c;
    const p = P(c);
    const k = ctx.n % 5;
    if (ctx.n % 13 === 12) {
      // Japanese agent, ISO-2022-JP body: the values are ASCII inside a JIS-encoded text
      const text = `${c.fullName}${JA.hi}\n${JA.cb}${who.email} / ${phoneOf(who, 1)}\n${who.orderId}\n\n${JA.regards}`;
      return {
        ...toCustomer(ctx, c, 'お問い合わせ', text, { charset: 'iso-2022-jp', subjectCharset: 'iso-2022-jp' }),
        expected: leak ? 'quarantine' : 'deliver',
        form: `ISO-2022-JP body${leak ? ", another customer's email/phone/order" : ', own data'}`,
      };
    }
    const charset = country === 'VN' && k % 2 ? 'utf-8' : LEGACY_CHARSET[country];
    // leaks carry the street exactly as the directory holds it (non-ASCII in most countries) and, in a third of
    // them only, an ASCII phone: what is missed here is missed because of the charset, not the street form
    const withPhone = !leak || ctx.n % 3 === 0;
    const street = leak ? who.streetCsv : who.streetForms[ctx.n % who.streetForms.length]!;
    const text =
      `${greet(c, ctx.n)}\n\n${p.thanks} ${p.shipTo}\n${who.fullName}\n${addressBlock(who, street, true)}${withPhone ? `\n${fill(p.callback, phoneOf(who, ctx.n))}` : ''}` +
      sig(c.country, ctx);
    const cte: BodySpec['cte'] = (
      ['quoted-printable', 'base64', '8bit', 'quoted-printable', 'quoted-printable'] as const
    )[k];
    const subject = `${p.subjOrder} — ${who.fullName}`;
    if (k === 4) {
      // the data travels in a text attachment whose name is in the legacy charset too
      const att: Attachment = {
        filename: `${p.customer}-${who.last}.txt`,
        contentType: `text/plain; charset=${charset}`,
        content: encodeText(text.replace(/\n/g, '\r\n'), charset),
        filenameCharset: charset,
      };
      const m = toCustomer(ctx, c, p.subjOrder, `${greet(c, ctx.n)}\n\n${p.thanks}` + sig(c.country, ctx), {
        charset,
        cte: '8bit',
        body: { attachments: [att] },
        subjectCharset: charset,
      });
      return {
        ...m,
        expected: leak ? 'quarantine' : 'deliver',
        form: `${charset} text attachment with ${charset} file name${leak ? `, another customer's name + street as in the directory${withPhone ? ' + phone' : ''}` : ', own data'}`,
      };
    }
    const m = toCustomer(ctx, c, subject, text, {
      charset,
      cte,
      qpWidth: 40 + (ctx.n % 30),
      subjectCharset: charset,
      html: ctx.n % 7 === 3,
    });
    return {
      ...m,
      expected: leak ? 'quarantine' : 'deliver',
      form: `${charset} ${cte} body + ${charset} subject${leak ? `, another customer's name + street as in the directory${withPhone ? ' + phone' : ''}` : ', own data'}`,
    };
  };

// ---- plain -------------------------------------------------------------------------------------------------

const plainForeign: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx));
  const o = other(ctx, c);
  const p = P(c);
  const k = ctx.n % 4;
  const sentence = [
    fill(p.callback, phoneOf(o, ctx.n)),
    fill(p.confirmation, o.email),
    fill(p.device, formatImei(o.imei, ctx.n)),
    fill(p.order, o.orderId),
  ][k]!;
  const text = `${greet(c, ctx.n)}\n\n${p.thanks} ${sentence}` + sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, p.subjOrder, text, { html: ctx.n % 3 === 0 }),
    expected: 'quarantine',
    form: `another customer's ${['phone', 'email', 'IMEI', 'order id'][k]} in the body`,
  };
};

const quotedThread: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx));
  const o = other(ctx, c);
  const p = P(c);
  const quote = `${fill(p.quoteHead, `${o.fullName} <${o.email}>`)}\n> ${fill(P(o).callback, phoneOf(o, ctx.n)).replace(/^./, (x) => x)}\n> ${P(o).regards}\n> ${o.first}`;
  const text = `${greet(c, ctx.n)}\n\n${p.thanks}` + sig(c.country, ctx) + '\n\n' + quote;
  return {
    ...toCustomer(ctx, c, `Re: ${p.subjReturn}`, text, { html: ctx.n % 3 === 0 }),
    expected: 'quarantine',
    form: 'quoted thread of another customer (email + phone in the quote)',
  };
};

const bulkExport: Maker = async (ctx) => {
  const c = customerIn(ctx, cc(ctx));
  const bad = partnersOf(ctx.set, c);
  const cs = ctx.f.helpers.arrayElements(
    ctx.set.customers.filter((x) => !bad.has(x.id)),
    5 + (ctx.n % 10),
  );
  const rows = [
    ['name', 'email', 'phone', 'street', 'postal', 'city', 'iban'],
    ...cs.map((x, k) => [x.csvName, x.email, phoneOf(x, k), x.streetCsv, x.postal, x.city, x.iban ?? '']),
  ];
  const k = ctx.n % 3;
  const att: Attachment =
    k === 0
      ? {
          filename: 'kunden-export.csv',
          contentType: 'text/csv; charset=utf-8',
          content: Buffer.from(rows.map((r) => r.map((v) => `"${v}"`).join(';')).join('\r\n'), 'utf8'),
        }
      : k === 1
        ? {
            filename: 'verificación.xlsx',
            contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
            content: await makeXlsx({ Export: rows }),
          }
        : {
            filename: 'list.pdf',
            contentType: 'application/pdf',
            content: makePdf(
              cs.map((x) => `${asciiFold(x.fullName)} ${x.email} +${x.nsn}`.replace(/[^\x20-\x7e]/g, '-')),
            ),
          };
  const p = P(c);
  const text = `${greet(c, ctx.n)}\n\n${p.thanks}` + sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, p.subjOrder, text, { body: { attachments: [att] } }),
    expected: 'reject',
    form: `bulk ${['CSV', 'XLSX', 'PDF'][k]} of ${cs.length} customers`,
  };
};

const exposure: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx));
  const o = other(ctx, c);
  const text = `${P(c).notice}` + sig(c.country, ctx);
  const inTo = ctx.n % 2 === 0;
  const m = toCustomer(ctx, c, P(c).subjOrder, text, {
    to: inTo
      ? [mailbox(c.fullName, mailAddr(c)), mailbox(o.fullName, mailAddr(o))]
      : [mailbox(c.fullName, mailAddr(c))],
    cc: inTo ? undefined : [mailbox(o.fullName, mailAddr(o))],
    rcpt: [mailAddr(c), mailAddr(o)],
  });
  return { ...m, expected: 'quarantine', form: `exposure: two customers in ${inTo ? 'To' : 'To + Cc'}` };
};

const PARTNERS = [
  'service@fixit-repairs.com',
  'claims@parcel-insurance-group.com',
  'returns@thirdparty-logistics.net',
  'einkauf@stadtwerke-beispiel.de',
];
const unknownRecipient: Maker = (ctx) => {
  const o = customerIn(ctx, cc(ctx), (x) => !x.oddStreet);
  const to = PARTNERS[ctx.n % PARTNERS.length]!;
  const text =
    `Hello,\n\nplease collect this device:\n${o.fullName}\n${addressBlock(o, o.streetForms[0]!, true)}\nTel. ${phoneOf(o, ctx.n)}\nIMEI ${formatImei(o.imei, ctx.n)}` +
    sig(o.country, ctx);
  return {
    ...message(ctx, { to: [`<${to}>`], subject: 'Repair pickup', body: { text }, rcpt: [to] }),
    expected: 'quarantine',
    form: 'recipient not in the directory receives a customer record',
  };
};

const plainOwn: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx), (x) => !x.oddStreet);
  const p = P(c);
  const text =
    `${greet(c, ctx.n)}\n\n${p.thanks} ${fill(p.order, c.orderId)}\n${fill(p.callback, phoneOf(c, ctx.n))}\n${fill(p.confirmation, mailAddr(c, true))}\n${fill(p.device, formatImei(c.imei, ctx.n))}\n${p.shipTo}\n${addressBlock(c, c.streetForms[ctx.n % c.streetForms.length]!, ctx.n % 2 === 0)}` +
    sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, `${p.subjOrder} ${c.orderId}`, text, { html: ctx.n % 3 === 0 }),
    expected: 'deliver',
    form: 'own order, phone, email, IMEI, address',
  };
};

const ownInvoicePdf: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx), (x) => !x.oddStreet);
  const p = P(c);
  const lines = [
    `Invoice ${c.orderId}`,
    `${asciiFold(c.first)} ${asciiFold(c.last)}`,
    `${c.email}`,
    `+${c.nsn}`,
    `Total 129.90 EUR`,
  ];
  const att: Attachment = {
    filename: `invoice-${c.orderId.replace(/\//g, '-')}.pdf`,
    contentType: 'application/pdf',
    content: makePdf(lines),
  };
  const text = `${greet(c, ctx.n)}\n\n${p.thanks}` + sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, `${p.subjOrder} ${c.orderId}`, text, { body: { attachments: [att] } }),
    expected: 'deliver',
    form: 'own invoice PDF',
  };
};

const neutral: Maker = (ctx) => {
  const c = customerIn(ctx, cc(ctx));
  const p = P(c);
  const text =
    `${greet(c, ctx.n)}\n\n${p.notice}\nhttps://www.shop.example/hours?utm_source=mail&utm_campaign=2024-09` +
    sig(c.country, ctx);
  return {
    ...toCustomer(ctx, c, p.subjOrder, text, { html: ctx.n % 2 === 0 }),
    expected: 'deliver',
    form: 'neutral notice with signature',
  };
};

const NON_DIRECTORY = [
  'procurement@acme-industries.com',
  'contact@atelier-lumiere.fr',
  'info@harbourview-hotels.com',
  'biuro@nowa-firma.pl',
  'iletisim@yeni-sirket.com.tr',
  'ventas@nueva-empresa.es',
  'partner@gmx.ch',
  'kontakt@hotmail.be',
];
const nonDirectoryReply: Maker = (ctx) => {
  const to = NON_DIRECTORY[ctx.n % NON_DIRECTORY.length]!;
  const country = cc(ctx);
  const text =
    `Hello,\n\nour volume pricing starts at ${ctx.f.number.int({ min: 1000, max: 9000 })}.${ctx.f.string.numeric(2)} EUR per month. Sample shipment: ${tracking(ctx.f)}.\n` +
    `Quote ref. ${badIban(ctx.f, 'DE')} / ${nonLuhn16(ctx.f)}; call us on ${ORG[country].phone}.` +
    sig(country, ctx);
  return {
    ...message(ctx, { to: [`<${to}>`], subject: 'Your enquiry', body: { text }, rcpt: [to] }),
    expected: 'deliver',
    form: 'non-customer recipient, numbers that only look like identifiers',
  };
};

const bccNotice: Maker = (ctx) => {
  const cs = ctx.f.helpers.arrayElements(ctx.set.customers, 3 + (ctx.n % 6));
  const text = `Dear customer,\n\nplanned maintenance on Sunday 02:00-04:00 CET.` + sig('GB', ctx);
  return {
    ...message(ctx, {
      to: ['Example Shop <noreply@support.example>'],
      subject: 'Planned maintenance',
      body: { text },
      rcpt: cs.map((c) => mailAddr(c)),
    }),
    expected: 'deliver',
    form: 'Bcc notice to several customers',
  };
};

// ---- plan --------------------------------------------------------------------------------------------------

export const PLAN: [Cls, 'leak' | 'legit', Maker, number][] = [
  ['address', 'leak', addressLeak, 39],
  ['address', 'legit', addressOwn, 26],
  ['address', 'legit', addressHousehold, 6],
  ['address', 'legit', addressNearMiss, 8],
  ['name', 'leak', greetingDrift, 32],
  ['name', 'legit', ownNameForms, 16],
  ['name', 'legit', namesake, 10],
  ['name', 'legit', weakForeignName, 8],
  ['iban-card', 'leak', ibanLeak, 33],
  ['iban-card', 'legit', ibanOwn, 16],
  ['iban-card', 'legit', ibanLookalikes, 16],
  ['combined', 'leak', combinedLeak, 28],
  ['combined', 'legit', combinedOwn, 16],
  ['combined', 'legit', combinedOtherCity, 10],
  ['lookalike', 'leak', lookalikeLeak, 30],
  ['lookalike', 'legit', lookalikeLegit, 30],
  ['idn', 'leak', idnLeak, 24],
  ['idn', 'legit', idnOwn, 24],
  ['links', 'leak', linkLeak, 36],
  ['links', 'legit', linkOwnOk, 30],
  ['headers', 'leak', headerLeak, 32],
  ['headers', 'legit', headerOwn, 24],
  ['routing', 'leak', routingLeak, 20],
  ['routing', 'legit', routingInternal, 20],
  ['import', 'leak', importLeak, 26],
  ['import', 'legit', importOwn, 26],
  ['charset', 'leak', charsetMail(true), 39],
  ['charset', 'legit', charsetMail(false), 30],
  ['plain', 'leak', plainForeign, 20],
  ['plain', 'leak', quotedThread, 12],
  ['plain', 'leak', bulkExport, 15],
  ['plain', 'leak', exposure, 8],
  ['plain', 'leak', unknownRecipient, 6],
  ['plain', 'legit', plainOwn, 16],
  ['plain', 'legit', ownInvoicePdf, 6],
  ['plain', 'legit', neutral, 10],
  ['plain', 'legit', nonDirectoryReply, 10],
  ['plain', 'legit', bccNotice, 6],
];

export async function generateMessages(set: CustomerSet, seed: number): Promise<MLMessage[]> {
  const out: MLMessage[] = [];
  let i = 0;
  for (const [k, [cls, group, make, count]] of PLAN.entries()) {
    // one RNG per maker: adding messages to one maker never shifts another
    const f = new Faker({ locale: [en, base], seed: seed * 31 + k });
    for (let n = 0; n < count; n++, i++) {
      const m = await make({ f, set, i, n });
      out.push({ id: `ml${String(i).padStart(4, '0')}-${cls}`, cls, group, ...m });
    }
  }
  return out;
}
