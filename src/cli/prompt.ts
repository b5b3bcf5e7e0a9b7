/** Reads a secret from a file, from a terminal prompt (not echoed), or from piped stdin. */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ErrorCodes, PostguardError } from '../core/errors.js';

export async function readSecret(file: string | undefined, prompt: string): Promise<string> {
  if (file) return readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '';
  if (process.stdin.isTTY) {
    const stdin = process.stdin;
    // Echo goes off before the prompt shows, so nothing typed (or pasted) right after the prompt is echoed.
    stdin.setRawMode(true);
    process.stderr.write(prompt);
    return new Promise((resolve) => {
      let value = '';
      const onData = (buf: Buffer) => {
        for (const ch of buf.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            stdin.setRawMode(false);
            stdin.removeListener('data', onData);
            stdin.pause();
            process.stderr.write('\n');
            return resolve(value);
          }
          if (ch === '\u0003') process.exit(130);
          if (ch === '\u007f') value = value.slice(0, -1);
          else value += ch;
        }
      };
      stdin.on('data', onData);
      stdin.resume();
    });
  }
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  throw new PostguardError(ErrorCodes.USAGE, 'no password given on stdin');
}
