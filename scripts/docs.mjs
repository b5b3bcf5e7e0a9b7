// Rewrites the generated docs (run after `npm run build`): the config reference in README.md from
// src/config/keys.ts, and policies/schema.json from src/decide/policy-schema.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { withConfigReference } from '../dist/src/config/docs.js';
import { policySchema } from '../dist/src/decide/index.js';

const readme = readFileSync('README.md', 'utf8');
writeFileSync('README.md', withConfigReference(readme));
process.stderr.write('README.md config reference updated\n');
writeFileSync('policies/schema.json', `${JSON.stringify(policySchema(), null, 2)}\n`);
process.stderr.write('policies/schema.json written\n');
