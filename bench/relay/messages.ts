/** Inputs for the relay benchmark: a generated directory and realistic customer-care messages. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withLuhnDigit } from '../lib/luhn.js';

export interface BenchCustomer {
  id: string;
  name: string;
  email: string;
  order: string;
}

const FIRST = [
  'Maria',
  'John',
  'Aisha',
  'Lukas',
  'Chloé',
  'Mateo',
  'Yuki',
  'Olga',
  'Kwame',
  'Sofia',
  'Liam',
  'Noah',
  'Emma',
  'Ava',
  'Jürgen',
  'Fatima',
];
const LAST = [
  'Gonzalez',
  'Smith',
  'Khan',
  'Müller',
  'Dubois',
  'Rossi',
  'Tanaka',
  'Ivanova',
  'Mensah',
  'Silva',
  'Brown',
  'Wilson',
  'Martin',
  'Novak',
  'Garcia',
  'Kowalski',
  'Jensen',
  'Okafor',
  'Haddad',
  'Larsen',
];
const STREETS = [
  'Market Street',
  'Park Avenue',
  'Hauptstraße',
  'Rue de Rivoli',
  'High Street',
  'Elm Road',
  'Oak Lane',
  'Bahnhofstraße',
];
const CITIES = ['San Francisco', 'New York', 'Berlin', 'Paris', 'London', 'Hamburg', 'Lyon', 'Manchester'];
const DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'web.de', 'orange.fr', 'icloud.com'];

/** Writes n customers (8 values each) as CSV; returns customer `index` (the benchmark's recipient). */
export function customerCsv(file: string, n: number, index: number): { rcpt: string; customer: BenchCustomer } {
  const lines = ['customer_id,full_name,email,phone,street,city,postal_code,country,imei,order_id'];
  let chosen: BenchCustomer | undefined;
  for (let i = 0; i < n; i++) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
    const c: BenchCustomer = {
      id: `C${String(i).padStart(7, '0')}`,
      name: `${first} ${last}`,
      email: `${first}.${last}.${i}@${DOMAINS[i % DOMAINS.length]}`
        .toLowerCase()
        .normalize('NFKD')
        .replace(/[^a-z0-9.@]/g, ''),
      order: `ORD-${String(100000 + i)}`,
    };
    if (i === index) chosen = c;
    const phone = `+1 ${200 + (i % 700)} ${String(200 + (Math.floor(i / 700) % 800)).padStart(3, '0')} ${String(i % 10000).padStart(4, '0')}`;
    lines.push(
      [
        c.id,
        c.name,
        c.email,
        phone,
        `${1 + (i % 300)} ${STREETS[i % STREETS.length]}`,
        CITIES[i % CITIES.length],
        String(10000 + (i % 89999)),
        'US',
        withLuhnDigit(`35${String(i).padStart(12, '0')}`),
        c.order,
      ].join(','),
    );
  }
  writeFileSync(file, lines.join('\n') + '\n');
  return { rcpt: chosen!.email, customer: chosen! };
}

function head(c: BenchCustomer, subject: string, contentType: string): string {
  return [
    `From: Support <agent@support.example>`,
    `To: ${c.name} <${c.email}>`,
    `Subject: ${subject}`,
    `Message-ID: <bench.${c.id}@support.example>`,
    'Date: Sat, 21 Nov 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    contentType,
    '',
    '',
  ].join('\r\n');
}

/** Sentences of customer-care replies; a reply draws distinct ones, as an agent's text does not repeat itself. */
const CARE_SENTENCES = [
  'Thank you for getting in touch about your order {order}.',
  'We checked the shipment with the carrier and it left our warehouse yesterday afternoon.',
  'You should receive it within two working days; the tracking page is updated every evening.',
  'I am sorry that the delivery took longer than we promised on the product page.',
  'If anything is missing from the parcel, simply reply to this message and we will sort it out.',
  'Our returns are free within 30 days: print the label from your account and drop the parcel at any post office.',
  'The refund is issued to the original payment method as soon as the warehouse confirms the return.',
  'Banks usually need three to five business days to show the credit on your statement.',
  'I have added a note to your account so that my colleagues can see the whole history of this case.',
  'The replacement part was ordered from our supplier this morning and ships separately.',
  'Unfortunately the colour you selected is out of stock until the middle of next month.',
  'As an apology for the inconvenience we have applied a voucher of 10 EUR to your next purchase.',
  'Please note that the voucher cannot be combined with other promotions and expires after six months.',
  'The warranty covers manufacturing defects for two years from the date of delivery.',
  'Damage caused by water or by a fall is not covered, but we can offer a repair at a reduced price.',
  'Could you send us a photo of the serial number label on the back of the device?',
  'Once we have the photo, our technicians will decide within 48 hours whether an exchange is possible.',
  'Your subscription renews automatically on the first day of each month unless you cancel it beforehand.',
  'You can change the delivery address in your account settings until the order has been packed.',
  'After packing, the address can only be changed by contacting the carrier directly with the tracking number.',
  'We do not store card numbers ourselves; payments are handled by our payment provider.',
  'The invoice is available as a PDF in the order overview of your account.',
  'If you need a corrected invoice with a company name or VAT number, let us know the exact details.',
  'Our opening hours are Monday to Friday from 8 am to 8 pm and Saturday from 9 am to 4 pm.',
  'Outside these hours you can leave a message and we will call you back on the next working day.',
  'The courier will try to deliver twice before the parcel goes to the nearest pickup point.',
  'At the pickup point the parcel is kept for seven days; please bring an ID and the pickup code.',
  'We have escalated your case to the logistics team, who will investigate the missing item.',
  'Investigations with the carrier can take up to ten working days; I will update you as soon as I hear back.',
  'In the meantime we have shipped a second package at no cost to you.',
  'If both packages arrive, please keep the second one or refuse it at the door, whichever is easier.',
  'The firmware update released last week fixes the connection problem you described.',
  'To install it, open the app, go to device settings and tap on check for updates.',
  'Should the problem persist after the update, a factory reset usually helps.',
  'A factory reset deletes your saved profiles, so please write them down before you start.',
  'We appreciate your patience and your detailed description of the issue.',
  'Feedback like yours helps us improve our products and our service.',
  'I have forwarded your suggestion about the packaging to our sustainability team.',
  'We are gradually replacing plastic fillers with recycled paper in all our warehouses.',
  'Is there anything else I can help you with regarding this order or your account?',
];

/** A customer-care reply of about `size` bytes carrying the recipient's own name, email and order id. */
export function careReply(size: number, c: BenchCustomer): Buffer {
  const h = head(c, `Re: Your order ${c.order} is on its way`, 'Content-Type: text/plain; charset=utf-8');
  const first = c.name.split(' ')[0];
  const closing = '\r\n\r\nKind regards,\r\nEmily from the support team\r\nSupport team, +1 800 555 0100\r\n';
  // the customer's original message, quoted below the answer
  const quote = `\r\n\r\nOn Fri, 20 Nov 2026 at 18:12, ${c.name} <${c.email}> wrote:\r\n> Hello, I ordered ${c.order} two weeks ago and it still has not arrived.\r\n> The tracking page has not changed since Monday. Can you check what happened?\r\n> Thanks, ${first}\r\n`;
  const budget = size - h.length - closing.length - quote.length - 60;
  let body = `Hello ${first},\r\n\r\n`;
  let i = 0;
  let para = 0;
  while (body.length < budget) {
    const next =
      CARE_SENTENCES[i++ % CARE_SENTENCES.length]!.replace('{order}', c.order) + (++para % 4 === 0 ? '\r\n\r\n' : ' ');
    if (body.length + next.length > budget) break;
    body += next;
  }
  return Buffer.from(h + body.trimEnd() + closing + quote, 'utf8');
}

/** ~100 KB: multipart/alternative text + HTML with a long quoted thread and links, the recipient's own data. */
export function hundredKbMail(c: BenchCustomer): Buffer {
  const text = careReply(45_000, c).toString('utf8').split('\r\n\r\n').slice(1).join('\r\n\r\n');
  const html = `<html><body>${text
    .split('\r\n\r\n')
    .map(
      (p, i) =>
        `<p style="margin:0 0 12px">${p.replace(/\r\n/g, '<br>')}${i % 5 === 0 ? ' <a href="https://support.example/help/shipping?lang=en">Shipping help</a>' : ''}</p>`,
    )
    .join('\r\n')}</body></html>`;
  const b = 'pg-bench-alt';
  return Buffer.from(
    head(c, `Re: Your order ${c.order}`, `Content-Type: multipart/alternative; boundary="${b}"`) +
      `--${b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n--${b}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n--${b}--\r\n`,
    'utf8',
  );
}

/** A text PDF of about `bytes`, every page an invoice line list for the customer. */
export function makePdf(bytes: number, c: BenchCustomer): Buffer {
  const pages: string[] = [];
  let total = 0;
  while (total < bytes) {
    const lines = [
      `Invoice for ${c.name} - order ${c.order}`,
      ...Array.from(
        { length: 40 },
        (_, i) => `Item ${pages.length * 40 + i + 1}: replacement part, quantity 1, price 19.90 EUR, shipped`,
      ),
    ];
    const content =
      'BT /F1 9 Tf 40 800 Td 12 TL ' + lines.map((l) => `(${l.replace(/[()\\]/g, '')}) '`).join(' ') + ' ET';
    pages.push(content);
    total += content.length + 200;
  }
  const objs: string[] = [];
  const n = pages.length;
  objs.push('<< /Type /Catalog /Pages 2 0 R >>');
  objs.push(`<< /Type /Pages /Kids [${pages.map((_, i) => `${4 + i * 2} 0 R`).join(' ')}] /Count ${n} >>`);
  objs.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  pages.forEach((content, i) => {
    objs.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + i * 2} 0 R >>`,
    );
    objs.push(`<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`);
  });
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out +=
    `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n` +
    offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A short reply with the customer's own 1 MB invoice PDF attached (base64). */
export function pdfMail(c: BenchCustomer): Buffer {
  const b = 'pg-bench-mixed';
  const pdf = makePdf(1024 * 1024, c)
    .toString('base64')
    .replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    head(c, `Your invoice for order ${c.order}`, `Content-Type: multipart/mixed; boundary="${b}"`) +
      `--${b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello ${c.name.split(' ')[0]},\r\n\r\nplease find your invoice attached.\r\n\r\nSupport\r\n` +
      `--${b}\r\nContent-Type: application/pdf; name="invoice-${c.order}.pdf"\r\nContent-Disposition: attachment; filename="invoice-${c.order}.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${pdf}\r\n--${b}--\r\n`,
    'latin1',
  );
}

/**
 * What the A/B benchmarks send: a 100,000-customer directory CSV in `dir`, the 5 KB reply to customer #42, and the
 * same reply with LF line ends for smtp-source (`-F`; it adds the CR itself).
 */
export function fiveKbInputs(dir: string): { csv: string; rcpt: string; body: Buffer; lf: string } {
  const csv = join(dir, 'customers.csv');
  const { rcpt, customer } = customerCsv(csv, 100_000, 42);
  const body = careReply(5000, customer);
  const lf = join(dir, 'm.lf.eml');
  writeFileSync(lf, body.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
  return { csv, rcpt, body, lf };
}
