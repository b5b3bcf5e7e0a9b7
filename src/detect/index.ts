export { detect, type DetectOptions } from './detect.js';
export { resolveRecipients } from './recipients.js';
export { maskValue, maskEmail, maskPhone, maskImei, maskCard, maskWords, maskToken } from './mask.js';
