export {
  openDirectory,
  type Directory,
  type DirectoryStats,
  type DirectoryView,
  type ImportOptions,
  type OpenDirectoryOptions,
} from './directory.js';
export type { ImportIssue, ImportReport, ImportFormat } from './importer.js';
export { normalizeValue } from './normalize.js';
