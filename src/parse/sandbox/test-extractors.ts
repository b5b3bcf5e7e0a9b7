/**
 * Test-only extractors that misbehave on purpose, so the sandbox can be tested with real worker threads without
 * relying on a library bug. They are reachable only when POSTGUARD_TEST_EXTRACTORS=1 is set in the environment of
 * the process (checked when a part is routed and when a worker starts): a part whose declared content type is
 * `application/x-pg-test-<name>` is then sent to the pool as kind `test-<name>`:
 *
 *   hang        a synchronous endless loop burning CPU (only worker.terminate() stops it)
 *   block       a synchronous endless wait (Atomics.wait) that burns no CPU, same effect as `hang`
 *   async-hang  a promise that never settles (the worker's own deadline stops it)
 *   oom         allocates without bound (the worker's heap limit stops it)
 *   throw       throws a TypeError (→ 'extract-error')
 *   exit        ends the worker thread mid-task (→ 'extract-error')
 *
 * Never set the variable in production.
 */
import type { ExtractContext } from '../context.js';
import type { Extracted } from '../extract/result.js';
import type { TestKind } from './protocol.js';

export const TEST_EXTRACTORS_ENV = 'POSTGUARD_TEST_EXTRACTORS';
const PREFIX = 'application/x-pg-test-';
const KINDS: ReadonlySet<string> = new Set(['hang', 'block', 'async-hang', 'oom', 'throw', 'exit']);

export function testExtractorsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[TEST_EXTRACTORS_ENV] === '1';
}

/** The test kind for a declared content type, or null (always null unless the variable is set). */
export function testKindOf(contentType: string): TestKind | null {
  if (!contentType.startsWith(PREFIX) || !testExtractorsEnabled()) return null;
  const name = contentType.slice(PREFIX.length);
  return KINDS.has(name) ? (`test-${name}` as TestKind) : null;
}

export async function runTestExtractor(kind: string, ctx: ExtractContext): Promise<Extracted> {
  switch (kind) {
    case 'test-hang': {
      let n = 0;
      for (;;) n = (n + 1) | 0;
    }
    case 'test-block':
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      return { ok: false, reason: 'extract-error', detail: 'test: woke up' };
    case 'test-async-hang':
      return ctx.race(new Promise<Extracted>(() => undefined));
    case 'test-oom': {
      const hoard: unknown[] = [];
      for (let i = 0; ; i++) hoard.push({ i, s: `chunk ${i}`, a: new Array<number>(64).fill(i) });
    }
    case 'test-throw':
      throw new TypeError('test extractor failed');
    case 'test-exit':
      process.exit(3);
  }
  return { ok: false, reason: 'unsupported', detail: 'test: unknown extractor' };
}
