/**
 * Setup file of the `unit` project (vitest.config.ts): unit test files run side by side, so they must stay inside
 * their own process. Opening a TCP or Unix socket (servers, SMTP, Redis, PostgreSQL, HTTP) or starting a child
 * process fails the test at once with a message that names the rule, instead of making the suite flaky later.
 * Worker threads are allowed (the parse sandbox), they live in the process.
 */
import childProcess, { ChildProcess } from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

function refuse(what: string): never {
  throw new Error(
    `${what} in a unit test file: unit files run in parallel and stay in-process. ` +
      'Add this file to SYSTEM in vitest.config.ts (see CONTRIBUTING.md, "Tests").',
  );
}

net.Server.prototype.listen = function listen(): never {
  refuse('net.Server.listen');
};
net.Socket.prototype.connect = function connect(): never {
  refuse('net.Socket.connect');
};
// spawn, exec, execFile and fork all start through ChildProcess.prototype.spawn; the *Sync variants do not.
(ChildProcess.prototype as unknown as { spawn: () => never }).spawn = function spawn(): never {
  refuse('child_process (spawn/exec/fork)');
};
const cp = childProcess as unknown as Record<string, unknown>;
for (const name of ['spawnSync', 'execSync', 'execFileSync']) {
  cp[name] = (): never => refuse(`child_process.${name}`);
}
syncBuiltinESMExports();
