export { Journal, openJournal, DEFAULT_RETENTION_MS, type OpenJournalOptions } from './journal.js';
export { JournalRecorder, journalTransitions, type RecordedEntry, type EntryListener } from './recorder.js';
export { factsOf, actionEntry, type DataFacts } from './entries.js';
export type { JournalEntry, JournalEvent, JournalStats, MessageHistory } from './types.js';
