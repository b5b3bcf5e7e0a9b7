import { describe, expect, it } from 'vitest';
import { auditToCsv, csvCell } from '../../src/audit/index.js';

describe('audit CSV export', () => {
  it('neutralises formula cells (OWASP) and quotes separators of every locale', () => {
    for (const lead of ['=', '+', '-', '@', '\t', '\r'])
      expect(csvCell(`${lead}HYPERLINK("http://evil")`).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('plain')).toBe('plain');
    const csv = auditToCsv([{ time: 't', actor: '@admin', action: 'release', reason: '=cmd|" /C calc"!A0;x' }]);
    expect(csv.split('\r\n')[1]).toBe(`t,'@admin,release,,"'=cmd|"" /C calc""!A0;x",`);
  });
});
