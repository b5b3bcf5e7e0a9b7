/**
 * The shapes that travel along the message's path:
 *   smtp/ → parse/ → detect/ → decide/ → deliver/ | quarantine/
 * Every stage takes and returns these; nothing here carries plaintext customer data except
 * `InboundMessage.raw` and `TextSegment.text`, which never leave the process (no logs, no replies, no store
 * outside the encrypted quarantine).
 */

/** The SMTP envelope exactly as the client gave it (addresses canonicalised by core/address). */
export interface Envelope {
  /** MAIL FROM; '' for the null sender. */
  mailFrom: string;
  /** RCPT TO, in order, de-duplicated. These are the recipients the decision is about. */
  rcptTo: string[];
}

export interface ClientInfo {
  remoteAddress: string;
  heloName?: string;
  /** Authenticated user name, when the client used AUTH. */
  user?: string;
  secure: boolean;
}

/** One received message, as handed to `inspect`. */
export interface InboundMessage {
  /** Transaction id: in every log line, in the reply text and in the trace header. */
  id: string;
  envelope: Envelope;
  client: ClientInfo;
  /** The bytes as received (CRLF line endings, dot-unstuffed), without our trace header. */
  raw: Buffer;
  receivedAt: Date;
}

// ---------------------------------------------------------------------------------------------------------
// parse/
// ---------------------------------------------------------------------------------------------------------

/** Where in the message a piece of text was found. Policies match on these. */
export type SegmentLocation =
  | 'subject'
  | 'header' // display names in From/To/Cc/Reply-To, other scanned headers
  | 'body' // text/plain part or HTML converted to text
  | 'link' // a URL's path or a decoded query parameter (href, src, bare URLs in text)
  | 'attachment'; // text extracted from an attachment (incl. nested messages and ZIP members)

export interface TextSegment {
  /** Index in ParsedMessage.segments. */
  index: number;
  location: SegmentLocation;
  /**
   * A human path to the part that holds no customer data, e.g. "subject", "header:to:display-name",
   * "body:text", "body:html", "link:query:order", "attachment:invoice.pdf", "attachment:export.zip/list.csv".
   * Attachment file names are part of the message, not directory values; they are shown escaped in the console.
   */
  source: string;
  /** Decoded text. Plaintext: never logged. */
  text: string;
  /** For link segments: which piece of the URL. */
  linkPart?: 'path' | 'query';
  /** For attachment segments: the attachment's file name and content type as given. */
  attachment?: { filename: string; contentType: string };
}

export type UnscannableReason =
  | 'parse-error'
  | 'depth-limit'
  | 'size-limit'
  | 'page-limit'
  | 'part-limit'
  | 'timeout'
  | 'encrypted'
  | 'unsupported'
  | 'extract-error'
  /** The extraction workers were busy with other messages for most of this part's time: the relay answers 451. */
  | 'busy';

/** A part that could not be read. Never silently skipped: the default policy holds the message. */
export interface UnscannablePart {
  source: string;
  reason: UnscannableReason;
  /** Short technical detail with no message content (e.g. "pdf: 812 pages > 500"). */
  detail: string;
}

export interface HeaderAddress {
  /** Canonical address (core/address), '' when the header held no parseable address. */
  address: string;
  /** Display name, decoded. Plaintext. */
  name: string;
}

export interface AttachmentInfo {
  filename: string;
  contentType: string;
  size: number;
  /** Path inside nested containers, e.g. "export.zip/list.csv". */
  source: string;
}

export interface ParsedMessage {
  subject: string;
  messageId?: string;
  from: HeaderAddress[];
  to: HeaderAddress[];
  cc: HeaderAddress[];
  bcc: HeaderAddress[];
  replyTo: HeaderAddress[];
  /** Lower-cased header name → decoded values, for policy conditions on headers. */
  headers: Map<string, string[]>;
  segments: TextSegment[];
  attachments: AttachmentInfo[];
  unscannable: UnscannablePart[];
}

// ---------------------------------------------------------------------------------------------------------
// directory/ + detect/
// ---------------------------------------------------------------------------------------------------------

/** Built-in kinds of personal data. Extra directory columns mapped in config use their own kind names. */
export type BuiltinKind =
  'email' | 'phone' | 'imei' | 'card' | 'iban' | 'order_id' | 'full_name' | 'address' | 'postal_code' | 'city';

export type Strength = 'strong' | 'weak';

export interface Finding {
  /** 'email', 'phone', … or a configured column kind such as 'ticket_id'. */
  kind: string;
  /** Customer ids the value belongs to (several when a value is shared, e.g. a household address). */
  customers: string[];
  strength: Strength;
  location: SegmentLocation;
  /** TextSegment.source of the segment the value was found in. */
  source: string;
  segment: number;
  offset: number;
  length: number;
  /** Masked value for humans, e.g. "+1 415 ••• ••71", "m•••@gmail.com". Never the plaintext. */
  masked: string;
}

export interface RecipientInfo {
  address: string;
  domain: string;
  internal: boolean;
  /** Customer ids whose email column equals this address (case-insensitive). */
  customers: string[];
  /** Where the message itself shows this address; 'bcc' when only in the envelope. */
  visibleIn: 'to' | 'cc' | 'bcc';
}

export interface Detection {
  findings: Finding[];
  recipients: RecipientInfo[];
  unscannable: UnscannablePart[];
}

// ---------------------------------------------------------------------------------------------------------
// decide/
// ---------------------------------------------------------------------------------------------------------

export type Action = 'deliver' | 'tag' | 'quarantine' | 'reject';

export interface SmtpReply {
  code: number;
  /** Enhanced status code, e.g. "5.7.1". */
  enhanced: string;
  text: string;
}

/** Masked evidence shown to humans (console, notices, scan output). */
export interface Evidence {
  kind: string;
  masked: string;
  source: string;
  customers: string[];
  recipient?: string;
}

export interface RuleHit {
  ruleId: string;
  action: Action;
  mode: 'enforce' | 'monitor';
  reason: string;
  evidence: Evidence[];
  notify?: { sender?: boolean; admins?: boolean };
}

export interface Verdict {
  /** What happens to the message (monitor-mode hits never raise it above 'deliver'/'tag'). */
  action: Action;
  /** Rule ids that decided the action, in policy order. */
  rules: string[];
  /** One human sentence, no customer data. */
  reason: string;
  hits: RuleHit[];
  /** For reject: the reply given in-session. */
  reply?: SmtpReply;
  /** Headers to add when delivering (tag), e.g. X-Postguard-Verdict. */
  headers?: Record<string, string>;
}

/** The `inspect` step: everything between DATA and the client's reply. */
export type Inspector = (message: InboundMessage) => Promise<Verdict>;
