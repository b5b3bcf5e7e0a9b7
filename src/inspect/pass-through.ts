import type { Inspector } from '../core/types.js';

/** The inspector used when scanning is switched off: every message is delivered unchanged. */
export const passThroughInspector: Inspector = async () => ({
  action: 'deliver',
  rules: [],
  reason: 'not scanned',
  hits: [],
});
