import { describe, expect, it } from 'vitest';
import { precededByGreeting } from '../../src/decide/checks.js';

describe('greeting detection before a name', () => {
  it('recognises German gender-inclusive salutations', () => {
    for (const g of ['Sehr geehrte ', 'Sehr geehrter ', 'Sehr geehrte/r ', 'Sehr geehrte*r ', 'Sehr geehrte(r) ', 'Sehr geehrte:r ', 'Liebe/r ', 'Sehr geehrte Frau ']) {
      const text = `${g}Maria Muster,\r\nvielen Dank.`;
      expect(precededByGreeting(text, g.length), g).toBe(true);
    }
  });
  it('does not take ordinary words before a name for a greeting', () => {
    for (const g of ['Please call ', 'Order for ', 'geehrte/rMaria ']) {
      expect(precededByGreeting(`${g}Maria Muster`, g.length), g).toBe(false);
    }
  });
});
