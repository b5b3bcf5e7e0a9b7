import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { withConfigReference } from '../../src/config/docs.js';
import { CONFIG_KEYS } from '../../src/config/keys.js';

describe('README config reference', () => {
  it('documents every config key, up to date with the key table (run `npm run docs` after changing keys)', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toBe(withConfigReference(readme));
    for (const k of CONFIG_KEYS) expect(readme).toContain(`| \`${k.key}\` |`);
  });
});
