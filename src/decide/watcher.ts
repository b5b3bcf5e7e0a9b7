/**
 * PolicyWatcher: keeps the current PolicySet, reloads it when a policy file changes (fs.watch on the folder,
 * debounced) or when `reload()` is called (the lead wires SIGHUP to it). A broken edit keeps the last good
 * policy running; the reason is logged and kept in `lastError`.
 */
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import { ErrorCodes, PostguardError, isPostguardError } from '../core/errors.js';
import { loadPolicies } from './loader.js';
import type { PolicySet } from './types.js';

export interface PolicyWatcherOptions {
  logger?: Logger;
  /** Quiet time after the last change before reloading (default 200 ms). */
  debounceMs?: number;
  /** Watch the folder for changes (default true). */
  watch?: boolean;
}

export interface PolicyWatcherEvents {
  reload: [PolicySet];
  error: [PostguardError];
}

export class PolicyWatcher extends EventEmitter<PolicyWatcherEvents> {
  private policy: PolicySet | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<boolean> | undefined;
  private again = false;
  /** Why the last reload failed; null after a successful one. */
  lastError: PostguardError | null = null;

  constructor(
    readonly dir: string,
    private readonly opts: PolicyWatcherOptions = {},
  ) {
    super();
  }

  /** Initial load (throws POLICY_INVALID: a relay must not start without a valid policy), then watches. */
  async start(): Promise<PolicySet> {
    this.policy = await loadPolicies(this.dir);
    this.opts.logger?.info(
      { dir: this.dir, rules: this.policy.rules.length, files: this.policy.files },
      'policies loaded',
    );
    if (this.opts.watch !== false) {
      this.watcher = watch(this.dir, { persistent: false }, (_event, name) => {
        if (name === null || /\.ya?ml$/i.test(String(name))) this.schedule();
      });
      this.watcher.on('error', (err) => this.opts.logger?.warn({ err, dir: this.dir }, 'policy folder watch failed'));
    }
    return this.policy;
  }

  /** The policy in force. */
  current(): PolicySet {
    if (!this.policy) throw new PostguardError(ErrorCodes.POLICY_INVALID, 'policies not loaded (call start())');
    return this.policy;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.reload();
    }, this.opts.debounceMs ?? 200);
    this.timer.unref?.();
  }

  /**
   * Reloads now. Resolves true when the new policy is in force, false when it was invalid (the last good
   * policy stays; see lastError). Concurrent calls are coalesced.
   */
  reload(): Promise<boolean> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = this.doReload().finally(() => {
      this.reloading = undefined;
      if (this.again) {
        this.again = false;
        void this.reload();
      }
    });
    return this.reloading;
  }

  private async doReload(): Promise<boolean> {
    try {
      const next = await loadPolicies(this.dir);
      this.policy = next;
      this.lastError = null;
      this.opts.logger?.info({ dir: this.dir, rules: next.rules.length, files: next.files }, 'policies reloaded');
      this.emit('reload', next);
      return true;
    } catch (err) {
      const e = isPostguardError(err)
        ? err
        : new PostguardError(ErrorCodes.POLICY_INVALID, `policy reload failed: ${(err as Error).message}`, {
            cause: err,
          });
      this.lastError = e;
      this.opts.logger?.error(
        { code: e.code, details: e.details, dir: this.dir },
        `policy reload failed, keeping the last good policy: ${e.message}`,
      );
      if (this.listenerCount('error') > 0) this.emit('error', e);
      return false;
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }
}
