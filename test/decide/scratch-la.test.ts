import { test } from 'vitest';
import { LookalikeMatcher, WELL_KNOWN_MAIL_DOMAINS } from '../../src/decide/lookalike.js';
test('x', () => {
const m = new LookalikeMatcher(WELL_KNOWN_MAIL_DOMAINS);
for (const d of ['gmial.com','gmail.co','gmai.com','outlok.com','hotmial.com','xn--gmil-63d.com','gmai1.com','rnail.com','gmail.com','mail.google.com','gm.com','aon.com','ms.com','gmx.at','yandex.ua','orange.es','example.com','acme.de','gmaill.com','hotmal.co','yahooo.com','outlook.co.uk','icloud.co','gmx.ne','life.com','mall.com','gmal.com','gamil.com','protonmial.com','web.de','wed.de','aol.co','email.co','gmx.co','aol.de','me.co','ne.com','ml.com','live.co','gnail.com','hotmail.es','outlook.es','googlemial.com','yahoo.es','gmx.org','freenet.com'])
  console.log(d.padEnd(16), JSON.stringify(m.match(d)));
});
