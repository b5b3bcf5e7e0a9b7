/**
 * Server-rendered console pages. No JavaScript: plain links and forms, every value escaped with esc().
 * Customer addresses appear masked; evidence is the masked form from detect/.
 */
import type { AuditEntry } from '../audit/index.js';
import { roleAllows, type Principal } from './accounts.js';
import { esc } from './http.js';
import type { QuarantineRecord } from '../quarantine/types.js';
import { QUARANTINE_STATUSES } from '../quarantine/types.js';

export const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222}header{background:#243b53;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:center}
header a{color:#fff}header form{margin-left:auto}main{padding:16px}table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
mark{background:#ffe08a;padding:0 2px}.err{background:#fde2e1;padding:8px}.ok{background:#e3f9e5;padding:8px}iframe{width:100%;height:420px;border:1px solid #999}
.actions{display:flex;gap:24px}.actions form{flex:1;border:1px solid #ddd;padding:8px}textarea{width:100%;min-height:60px}label{display:block;margin:4px 0}
.filters{display:flex;gap:8px;flex-wrap:wrap;margin-bottom:12px}`;

function layout(title: string, content: string, who?: { principal: Principal; csrf: string }): string {
  const nav = who
    ? `<a href="/messages">Messages</a><a href="/messages?status=release-requested">Release requests</a><a href="/audit">Audit log</a>
<span>${esc(who.principal.name)} (${esc(who.principal.role)})</span>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="${esc(who.csrf)}"><button>Log out</button></form>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} · postguard</title><link rel="stylesheet" href="/console.css"></head>
<body><header><strong>postguard</strong>${nav}</header><main>${content}</main></body></html>`;
}

export function loginPage(error?: string): string {
  return layout(
    'Log in',
    `<h1>Log in</h1>${error ? `<p class="err" id="error">${esc(error)}</p>` : ''}
<form method="post" action="/login"><label>Name <input name="name" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label><button type="submit">Log in</button></form>`,
  );
}

export interface ListQuery {
  status?: string;
  rule?: string;
  sender?: string;
  since?: string;
  until?: string;
}

export function listPage(records: QuarantineRecord[], q: ListQuery, who: { principal: Principal; csrf: string }): string {
  const opt = (s: string) => `<option value="${esc(s)}"${q.status === s ? ' selected' : ''}>${esc(s || 'any status')}</option>`;
  const rows = records
    .map(
      (r) => `<tr data-id="${esc(r.id)}"><td><a href="/messages/${encodeURIComponent(r.id)}">${esc(r.id)}</a></td><td>${esc(r.heldAt)}</td>
<td class="status">${esc(r.status)}</td><td>${esc(r.masked.mailFrom || '<>')}</td><td>${esc(r.masked.rcptTo.join(', '))}</td>
<td>${esc(r.verdict.rules.join(', '))}</td><td>${esc(r.verdict.reason)}</td></tr>`,
    )
    .join('');
  return layout(
    'Messages',
    `<h1>Quarantined messages</h1>
<form class="filters" method="get" action="/messages"><select name="status">${['', ...QUARANTINE_STATUSES].map(opt).join('')}</select>
<input name="rule" placeholder="rule" value="${esc(q.rule)}"><input name="sender" placeholder="sender" value="${esc(q.sender)}">
<label>since <input type="date" name="since" value="${esc(q.since)}"></label><label>until <input type="date" name="until" value="${esc(q.until)}"></label><button>Filter</button></form>
<table id="messages"><thead><tr><th>Reference</th><th>Held</th><th>Status</th><th>Sender</th><th>Recipients</th><th>Rules</th><th>Reason</th></tr></thead>
<tbody>${rows || '<tr><td colspan="7">No messages.</td></tr>'}</tbody></table>`,
    who,
  );
}

const NOTICES: Record<string, string> = {
  released: 'The message was released and accepted by the upstream.',
  deleted: 'The message was deleted.',
};

export function messagePage(
  r: QuarantineRecord,
  attachments: string[],
  who: { principal: Principal; csrf: string },
  flash?: { notice?: string; error?: string },
): string {
  const evidence = r.verdict.hits
    .flatMap((h) =>
      h.evidence.map(
        (e) => `<tr><td>${esc(h.ruleId)}</td><td>${esc(h.action)} (${esc(h.mode)})</td><td>${esc(e.kind)}</td><td><mark class="finding">${esc(e.masked)}</mark></td>
<td>${esc(e.source)}</td><td>${esc(e.customers.length)}</td><td>${esc(e.recipient ?? '')}</td></tr>`,
      ),
    )
    .join('');
  const reasons = r.verdict.hits.map((h) => `<li>${esc(h.ruleId)}: ${esc(h.reason)}</li>`).join('');
  const history = r.history
    .map((h) => `<tr><td>${esc(h.at)}</td><td>${esc(h.actor)}</td><td>${esc(h.action)}</td><td>${esc(h.reason ?? '')}</td></tr>`)
    .join('');
  const canAct = roleAllows(who.principal.role, 'releaser') && (r.status === 'held' || r.status === 'release-requested');
  const id = encodeURIComponent(r.id);
  const actions = canAct
    ? `<div class="actions"><form method="post" action="/messages/${id}/release" id="release-form"><h3>Release</h3>
<input type="hidden" name="csrf" value="${esc(who.csrf)}"><label>Reason (required) <textarea name="reason" required></textarea></label>
<label>Corrected recipients (optional) <input name="to" placeholder="a@example.com, b@example.com"></label><button type="submit">Release</button></form>
<form method="post" action="/messages/${id}/delete" id="delete-form"><h3>Delete</h3><input type="hidden" name="csrf" value="${esc(who.csrf)}">
<label>Reason (required) <textarea name="reason" required></textarea></label><button type="submit">Delete</button></form></div>`
    : '';
  const request = r.history.filter((h) => h.action === 'release-requested').at(-1);
  const body = r.status === 'deleted' || r.status === 'expired'
    ? '<p>The message body is no longer stored.</p>'
    : `<iframe sandbox="" src="/messages/${id}/body" title="message body" referrerpolicy="same-origin"></iframe>`;
  return layout(
    `Message ${r.id}`,
    `${flash?.notice && Object.hasOwn(NOTICES, flash.notice) ? `<p class="ok" id="notice">${esc(NOTICES[flash.notice]!)}</p>` : ''}
${flash?.error ? `<p class="err" id="error">${esc(flash.error)}</p>` : ''}
<h1>Message ${esc(r.id)}</h1>
<table><tr><th>Status</th><td id="status">${esc(r.status)}</td></tr><tr><th>Held</th><td>${esc(r.heldAt)} (expires ${esc(r.expiresAt)})</td></tr>
<tr><th>Sender</th><td id="sender">${esc(r.masked.mailFrom || '<>')}</td></tr><tr><th>Recipients</th><td id="recipients">${esc(r.masked.rcptTo.join(', '))}</td></tr>
<tr><th>Subject</th><td id="subject">${esc(r.subject ?? '')}</td></tr><tr><th>Client</th><td>${esc(r.client.remoteAddress)}${r.client.user ? ` (${esc(r.client.user)})` : ''}</td></tr>
<tr><th>Size</th><td>${esc(r.size)} bytes</td></tr><tr><th>Attachments</th><td id="attachments">${attachments.map((a) => `<div>${esc(a)}</div>`).join('')}</td></tr></table>
${request && r.status === 'release-requested' ? `<p class="ok" id="request">Release requested by the sender: ${esc(request.reason ?? '')}</p>` : ''}
<h2>Why it was held</h2><p>${esc(r.verdict.reason)}</p><ul>${reasons}</ul>
<h2>Findings (masked)</h2><table id="findings"><thead><tr><th>Rule</th><th>Action</th><th>Kind</th><th>Value</th><th>Where</th><th>Customers</th><th>Recipient</th></tr></thead><tbody>${evidence}</tbody></table>
${actions}<h2>Message</h2>${body}
<h2>History</h2><table id="history"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Why</th></tr></thead><tbody>${history}</tbody></table>`,
    who,
  );
}

export function auditPage(entries: AuditEntry[], who: { principal: Principal; csrf: string }): string {
  const rows = entries
    .map(
      (e) => `<tr><td>${esc(e.time)}</td><td>${esc(e.actor)}</td><td>${esc(e.action)}</td>
<td>${e.messageId ? `<a href="/messages/${encodeURIComponent(e.messageId)}">${esc(e.messageId)}</a>` : ''}</td><td>${esc(e.reason ?? '')}</td></tr>`,
    )
    .join('');
  const exports = roleAllows(who.principal.role, 'admin')
    ? `<p>Export: <a href="/audit/export?format=csv">CSV</a> · <a href="/audit/export?format=jsonl">JSON Lines</a></p>`
    : '';
  return layout(
    'Audit log',
    `<h1>Audit log</h1>${exports}<table id="audit"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Message</th><th>Why</th></tr></thead><tbody>${rows}</tbody></table>`,
    who,
  );
}

export function errorPage(status: number, message: string): string {
  return layout(String(status), `<h1>${esc(status)}</h1><p class="err">${esc(message)}</p>`);
}

export function requestPage(r: QuarantineRecord, exp: string, sig: string, state: 'form' | 'done' | 'closed', error?: string): string {
  const reasons = r.verdict.hits.filter((h) => r.verdict.rules.includes(h.ruleId)).map((h) => `<li>${esc(h.reason)}</li>`).join('') || `<li>${esc(r.verdict.reason)}</li>`;
  let content: string;
  if (state === 'done') content = '<p class="ok" id="done">Your request was recorded. An administrator will review it.</p>';
  else if (state === 'closed') content = `<p id="closed">This message is ${esc(r.status)}; no request can be made.</p>`;
  else
    content = `${error ? `<p class="err">${esc(error)}</p>` : ''}<form method="post" action="/request/${encodeURIComponent(r.id)}">
<input type="hidden" name="exp" value="${esc(exp)}"><input type="hidden" name="sig" value="${esc(sig)}">
<label>Why must this message go out as it is? (required) <textarea name="justification" required maxlength="2000"></textarea></label>
<button type="submit">Request release</button></form>`;
  return layout(
    'Request release',
    `<h1>Held message ${esc(r.id)}</h1><p>Held at ${esc(r.heldAt)} for:</p><ul>${reasons}</ul>${content}`,
  );
}
