/** Parsed messages built by hand for detection tests (no MIME): one body text or the given segments. */
import type { ParsedMessage, TextSegment } from '../../src/core/types.js';

/** A message whose only segment is `text` in the text body, or whose segments are `content` (re-indexed). */
export function parsedMessage(
  content: string | readonly TextSegment[],
  extra: Partial<ParsedMessage> = {},
): ParsedMessage {
  const segments: TextSegment[] =
    typeof content === 'string'
      ? [{ index: 0, location: 'body', source: 'body:text', text: content }]
      : content.map((s, i) => ({ ...s, index: i }));
  return {
    subject: '',
    from: [],
    to: [],
    cc: [],
    bcc: [],
    replyTo: [],
    headers: new Map(),
    segments,
    attachments: [],
    unscannable: [],
    ...extra,
  };
}
