/** Types of scripts/transpile.mjs (used by the tests' global setup). */
export function transpileToDist(root?: string): number;
