#!/usr/bin/env node
/**
 * Fails (exit 1) when a commit made since the convention was enforced has a subject over 72 characters
 * (CONTRIBUTING.md, "Commits"), and names each one. Earlier history is left as it is: rewriting published commits
 * would break every clone.
 *
 * Outside a git checkout, or in a shallow clone that lacks the starting commit, it says so and passes: the rule is
 * about history, and such a checkout has none to check.
 *
 * Usage: node scripts/check-commits.mjs [since-rev]   (default: ENFORCED_SINCE)
 */
import { execFileSync } from 'node:child_process';

/** The last commit before the limit was enforced; everything after it must comply. */
const ENFORCED_SINCE = '526697f';
const MAX = 72;

const since = process.argv[2] ?? ENFORCED_SINCE;

function git(args) {
  return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

let subjects;
try {
  git(['cat-file', '-e', `${since}^{commit}`]);
  subjects = git(['log', '--format=%h %s', `${since}..HEAD`])
    .split('\n')
    .filter(Boolean);
} catch {
  console.log(`check-commits: no git history with ${since} here; skipped`);
  process.exit(0);
}

const long = subjects
  .map((line) => ({ hash: line.slice(0, line.indexOf(' ')), subject: line.slice(line.indexOf(' ') + 1) }))
  .filter((c) => [...c.subject].length > MAX);
for (const c of long)
  console.error(`${c.hash}: subject is ${[...c.subject].length} characters (max ${MAX}): ${c.subject}`);
if (long.length) {
  console.error(
    `check-commits: ${long.length} commit subject(s) over ${MAX} characters; put the detail in the body (CONTRIBUTING.md)`,
  );
  process.exit(1);
}
