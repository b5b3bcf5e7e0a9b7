// Rewrites the generated config reference in README.md from src/config/keys.ts (run after `npm run build`).
import { readFileSync, writeFileSync } from 'node:fs';
import { withConfigReference } from '../dist/src/config/docs.js';

const readme = readFileSync('README.md', 'utf8');
writeFileSync('README.md', withConfigReference(readme));
process.stderr.write('README.md config reference updated\n');
