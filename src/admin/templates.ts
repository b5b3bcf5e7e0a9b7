/**
 * Console pages as Eta templates. Eta escapes every `<%= %>` output (HTML-escapes & < > " '); the few `<%~ %>`
 * (unescaped) outputs below only insert other templates' already-escaped output. Chosen over @fastify/view's
 * other engines because Eta is small, has no dependencies, escapes by default and runs on precompiled templates
 * loaded from strings (so they ship inside dist/ with the code, no template files to copy).
 *
 * Pages run no JavaScript; customer addresses appear masked; evidence is the masked form from detect/.
 */
import { Eta } from 'eta';

const layout = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title><%= it.title %> · postguard</title><link rel="stylesheet" href="/console.css"></head>
<body><header><strong>postguard</strong><% if (it.who) { %><nav><a href="/messages">Messages</a><a href="/messages?status=release-requested">Release requests</a><a href="/stats">Statistics</a><a href="/audit">Audit log</a></nav>
<span><%= it.who.principal.name %> (<%= it.who.principal.role %>)</span>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="<%= it.who.csrf %>"><button>Log out</button></form><% } %></header>
<main><%~ it.body %></main></body></html>`;

const login = `<% layout('@layout', { title: 'Log in' }) %><h1>Log in</h1><% if (it.error) { %><p class="err" id="error"><%= it.error %></p><% } %>
<form method="post" action="/login"><label>Name <input name="name" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label><button type="submit">Log in</button></form>`;

/** A time as "3 min ago", the exact UTC time on hover. */
const time = `<time datetime="<%= it.iso %>" title="<%= it.iso.replace('T', ' ').slice(0, 19) %> UTC"><%= it.ago(it.iso) %></time>`;

const list = `<% layout('@layout', { title: 'Messages', who: it.who }) %><% const q = it.query; %><h1>Quarantined messages <span class="count" id="total"><%= it.total %></span></h1>
<form class="filters" method="get" action="/messages" role="search">
<label>Status <select name="status"><% for (const s of it.statuses) { %><option value="<%= s %>"<%= (q.status ?? '') === s ? ' selected' : '' %>><%= s || 'any status' %></option><% } %></select></label>
<label>Rule <select name="rule"><option value="">any rule</option><% for (const r of it.rules) { %><option value="<%= r %>"<%= q.rule === r ? ' selected' : '' %>><%= r %></option><% } %></select></label>
<label>Search <input name="q" type="search" placeholder="reference, sender, recipient, customer id" value="<%= q.q ?? '' %>"></label>
<label>Since <input type="date" name="since" value="<%= q.since ?? '' %>"></label><label>Until <input type="date" name="until" value="<%= q.until ?? '' %>"></label>
<% if (q.sender) { %><input type="hidden" name="sender" value="<%= q.sender %>"><% } %><button>Filter</button></form>
<form method="post" action="/messages/bulk" id="bulk-form"><input type="hidden" name="csrf" value="<%= it.who.csrf %>">
<div class="table-wrap"><table id="messages"><thead><tr><% if (it.canAct) { %><th><span class="sr">Select</span></th><% } %><th>Reference</th><th>Held</th><th>Status</th><th>Sender</th><th>Recipients</th><th>Rules</th><th>Reason</th></tr></thead>
<tbody><% for (const r of it.records) { %><tr data-id="<%= r.id %>"><% if (it.canAct) { %><td><% if (r.status === 'held' || r.status === 'release-requested') { %><input type="checkbox" name="ids" value="<%= r.id %>" aria-label="select <%= r.id %>"><% } %></td><% } %>
<td><a href="/messages/<%= encodeURIComponent(r.id) %>"><%= r.id %></a></td><td><%~ include('@time', { iso: r.heldAt, ago: it.ago }) %></td>
<td class="status"><%= r.status %></td><td><%= r.masked.mailFrom || '<>' %></td><td><%= r.masked.rcptTo.join(', ') %></td>
<td><%= r.verdict.rules.join(', ') %></td><td><%= r.verdict.reason %><% const j = it.justification(r); if (j) { %><div class="justification">Sender: <q><%= j %></q></div><% } %></td></tr><% } %>
<% if (it.records.length === 0) { %><tr><td colspan="8">No messages.</td></tr><% } %></tbody></table></div>
<% if (it.canAct && it.records.length) { %><fieldset class="bulk"><legend>Selected messages</legend>
<label>Reason (required, one for all) <textarea name="reason" required maxlength="2000"></textarea></label>
<button type="submit" name="action" value="release">Release selected</button> <button type="submit" name="action" value="delete" class="danger">Delete selected</button></fieldset><% } %></form>
<nav class="pages" aria-label="pages"><% if (it.prev) { %><a href="<%= it.prev %>" rel="prev" id="prev-page">← newer</a><% } %>
<span id="page-info"><%= it.total ? (q.offset + 1) + '–' + Math.min(q.offset + q.limit, it.total) : 0 %> of <%= it.total %></span>
<% if (it.next) { %><a href="<%= it.next %>" rel="next" id="next-page">older →</a><% } %></nav>`;

const message = `<% layout('@layout', { title: 'Message ' + it.r.id, who: it.who }) %><% const r = it.r; const id = encodeURIComponent(r.id); %>
<% if (it.notice) { %><p class="ok" id="notice"><%= it.notice %></p><% } %><% if (it.error) { %><p class="err" id="error"><%= it.error %></p><% } %>
<h1>Message <%= r.id %></h1>
<div class="table-wrap"><table class="facts"><tr><th>Status</th><td id="status"><%= r.status %></td></tr><tr><th>Held</th><td><%~ include('@time', { iso: r.heldAt, ago: it.ago }) %> (expires <%~ include('@time', { iso: r.expiresAt, ago: it.ago }) %>)</td></tr>
<tr><th>Sender</th><td id="sender"><%= r.masked.mailFrom || '<>' %></td></tr><tr><th>Recipients</th><td id="recipients"><%= r.masked.rcptTo.join(', ') %></td></tr>
<tr><th>Subject</th><td id="subject"><%= r.subject ?? '' %></td></tr><tr><th>Client</th><td><%= r.client.remoteAddress %><% if (r.client.user) { %> (<%= r.client.user %>)<% } %></td></tr>
<tr><th>Whose data</th><td id="customers"><% if (it.customers.length) { %><% for (const c of it.customers) { %><a class="chip" href="/customers/<%= encodeURIComponent(c) %>"><%= c %></a> <% } %><% } else { %>no customer identified<% } %></td></tr>
<% if (it.canIncident) { %><tr><th>Evidence</th><td><a id="incident-link" href="/incidents/<%= id %>">Incident summary (GDPR Art. 33(3))</a></td></tr><% } %>
<tr><th>Size</th><td><%= r.size %> bytes</td></tr><tr><th>Attachments</th><td id="attachments"><% for (const a of it.attachments) { %><div><%= a %></div><% } %></td></tr></table></div>
<% if (it.request) { %><p class="ok" id="request">Release requested by the sender: <%= it.request %></p><% } %>
<h2>Why it was held</h2><p><%= r.verdict.reason %></p><ul><% for (const h of r.verdict.hits) { %><li><%= h.ruleId %>: <%= h.reason %></li><% } %></ul>
<h2>Findings (masked)</h2><div class="table-wrap"><table id="findings"><thead><tr><th>Rule</th><th>Action</th><th>Kind</th><th>Value</th><th>Where</th><th>Customers</th><th>Recipient</th></tr></thead><tbody>
<% for (const h of r.verdict.hits) { for (const e of h.evidence) { %><tr><td><%= h.ruleId %></td><td><%= h.action %> (<%= h.mode %>)</td><td><%= e.kind %></td><td><mark class="finding"><%= e.masked %></mark></td>
<td><%= e.source %></td><td class="customers"><%= e.customers.join(', ') %></td><td><%= e.recipient ?? '' %></td></tr><% } } %></tbody></table></div>
<h2>Message</h2><% if (it.bodyGone) { %><p>The message body is no longer stored.</p><% } else { %><% if (!it.fullBody) { %><p class="note" id="masked-note">Addresses and numbers in the text are masked for your role.</p><% } %><iframe sandbox="" src="/messages/<%= id %>/body" title="message body" referrerpolicy="same-origin"></iframe><% } %>
<% if (it.canAct) { %><div class="actions"><form method="post" action="/messages/<%= id %>/release" id="release-form"><h3>Release</h3>
<input type="hidden" name="csrf" value="<%= it.who.csrf %>"><label>Reason (required) <textarea name="reason" required></textarea></label>
<label>Corrected recipients (optional) <input name="to" placeholder="a@example.com, b@example.com" value="<%= it.correctedTo ?? '' %>"></label><% if (it.correctedTo) { %><p class="note" id="typo-note">Pre-filled with the corrected domain of the lookalike recipient; check it before releasing.</p><% } %><button type="submit">Release</button></form>
<form method="post" action="/messages/<%= id %>/delete" id="delete-form"><h3>Delete</h3><input type="hidden" name="csrf" value="<%= it.who.csrf %>">
<label>Reason (required) <textarea name="reason" required></textarea></label><button type="submit" class="danger">Delete</button></form></div><% } %>
<h2>History</h2><div class="table-wrap"><table id="history"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Why</th></tr></thead><tbody>
<% for (const h of r.history) { %><tr><td><%~ include('@time', { iso: h.at, ago: it.ago }) %></td><td><%= h.actor %></td><td><%= h.action %></td><td><%= h.reason ?? '' %></td></tr><% } %></tbody></table></div>`;

const audit = `<% layout('@layout', { title: 'Audit log', who: it.who }) %><h1>Audit log</h1>
<% if (it.canExport) { %><p>Export: <a href="/audit/export?format=csv">CSV</a> · <a href="/audit/export?format=jsonl">JSON Lines</a></p><% } %>
<table id="audit"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Message</th><th>Why</th></tr></thead><tbody>
<% for (const e of it.entries) { %><tr><td><%~ include('@time', { iso: e.time, ago: it.ago }) %></td><td><%= e.actor %></td><td><%= e.action %></td>
<td><% if (e.messageId) { %><a href="/messages/<%= encodeURIComponent(e.messageId) %>"><%= e.messageId %></a><% } %></td><td><%= e.reason ?? '' %></td></tr><% } %></tbody></table>`;

const error = `<% layout('@layout', { title: String(it.status) }) %><h1><%= it.status %></h1><p class="err"><%= it.message %></p>`;

const request = `<% layout('@layout', { title: 'Request release' }) %><h1>Held message <%= it.r.id %></h1><p>Held at <%= it.r.heldAt %> for:</p>
<ul><% for (const reason of it.reasons) { %><li><%= reason %></li><% } %></ul>
<% if (it.state === 'done') { %><p class="ok" id="done">Your request was recorded. An administrator will review it.</p>
<% } else if (it.state === 'closed') { %><p id="closed">This message is <%= it.r.status %>; no request can be made.</p>
<% } else { %><% if (it.error) { %><p class="err"><%= it.error %></p><% } %><form method="post" action="/request/<%= encodeURIComponent(it.r.id) %>">
<input type="hidden" name="exp" value="<%= it.exp %>"><input type="hidden" name="sig" value="<%= it.sig %>">
<label>Why must this message go out as it is? (required) <textarea name="justification" required maxlength="2000"></textarea></label>
<button type="submit">Request release</button></form><% } %>`;

const bulk = `<% layout('@layout', { title: 'Bulk ' + it.action, who: it.who }) %><h1>Bulk <%= it.action %></h1>
<p class="<%= it.ok === it.results.length ? 'ok' : 'err' %>" id="bulk-summary"><%= it.ok %> of <%= it.results.length %> messages: <%= it.action === 'release' ? 'released' : 'deleted' %>.</p>
<table id="bulk-results"><thead><tr><th>Reference</th><th>Result</th></tr></thead><tbody>
<% for (const r of it.results) { %><tr><td><a href="/messages/<%= encodeURIComponent(r.id) %>"><%= r.id %></a></td><td><%= r.status === 200 ? r.state : r.error %></td></tr><% } %></tbody></table>
<p><a href="/messages">Back to the list</a></p>`;

const stats = `<% layout('@layout', { title: 'Statistics', who: it.who }) %><% const s = it.stats; const c = it.charts; %><h1>Statistics</h1>
<form class="filters" method="get" action="/stats"><label>since <input type="date" name="since" value="<%= it.since %>"></label><button>Show</button></form>
<p id="totals">Since <time datetime="<%= s.since %>"><%= s.since.slice(0, 10) %></time>: <strong><%= s.held %></strong> held, <strong><%= s.released %></strong> released,
<strong><%= s.deleted %></strong> deleted, <strong><%= s.rejected %></strong> rejected in-session<%= it.fromJournal ? ' (from the verdict journal)' : ' (since this server started)' %>.</p>
<h2>Holds per day by rule</h2>
<svg id="chart-days" role="img" aria-labelledby="chart-days-title" viewBox="0 0 <%= c.days.width %> <%= c.days.height %>" width="100%"><title id="chart-days-title">Holds per day by rule (max <%= c.days.max %>)</title>
<% for (const b of c.days.bars) { %><rect x="<%= b.x.toFixed(1) %>" y="<%= b.y.toFixed(1) %>" width="<%= b.w.toFixed(1) %>" height="<%= b.h.toFixed(1) %>" class="s<%= b.series % 8 %>"><title><%= b.title %></title></rect><% } %>
<% for (const l of c.days.labels) { %><text x="<%= l.x.toFixed(1) %>" y="<%= c.days.height - 8 %>" text-anchor="middle" class="axis"><%= l.text %></text><% } %></svg>
<ul class="legend"><% c.days.legend.forEach((rule, i) => { %><li><span class="swatch s<%= i % 8 %>"></span><%= rule %> (<%= s.byRule[rule] %>)</li><% }) %></ul>
<h2>Top senders (masked)</h2>
<svg id="chart-senders" role="img" aria-label="Top senders by held messages" viewBox="0 0 <%= c.senders.width %> <%= c.senders.height %>" width="100%">
<% for (const r of c.senders.rows) { %><text x="0" y="<%= r.y + 16 %>" class="axis"><%= r.label %></text><rect x="260" y="<%= r.y + 4 %>" width="<%= r.w.toFixed(1) %>" height="16" class="s0"><title><%= r.label %>: <%= r.value %></title></rect><text x="<%= (266 + r.w).toFixed(1) %>" y="<%= r.y + 16 %>" class="axis"><%= r.value %></text><% } %></svg>
<h2>Release rate and time to release</h2>
<svg id="chart-release" role="img" aria-label="Release rate <%= c.releasePercent %> percent" viewBox="0 0 400 30" width="100%"><rect x="0" y="5" width="400" height="20" class="track"></rect><rect x="0" y="5" width="<%= c.releasePercent * 4 %>" height="20" class="s2"></rect></svg>
<p id="release-rate"><%= c.releasePercent %> % of decided messages were released (the rest deleted). Median time to release:
<%= s.medianReleaseMinutes === null ? 'none released' : s.medianReleaseMinutes < 120 ? Math.round(s.medianReleaseMinutes) + ' min' : (s.medianReleaseMinutes / 60).toFixed(1) + ' h' %>.</p>
<svg id="chart-release-times" role="img" aria-label="Released messages by time to release" viewBox="0 0 <%= c.releaseTimes.width %> <%= c.releaseTimes.height %>" width="100%">
<% for (const b of c.releaseTimes.bars) { %><rect x="<%= b.x.toFixed(1) %>" y="<%= b.y.toFixed(1) %>" width="<%= b.w.toFixed(1) %>" height="<%= b.h.toFixed(1) %>" class="s4"><title><%= b.label %>: <%= b.value %></title></rect>
<text x="<%= (b.x + b.w / 2).toFixed(1) %>" y="<%= (b.y - 4).toFixed(1) %>" text-anchor="middle" class="axis"><%= b.value %></text><text x="<%= (b.x + b.w / 2).toFixed(1) %>" y="<%= c.releaseTimes.height - 8 %>" text-anchor="middle" class="axis"><%= b.label %></text><% } %></svg>`;

/** Text runs; a finding's value is wrapped in <mark class="finding" title="KIND"> (console body view). */
const pieces = `<% for (const p of it.pieces) { %><% if (p.kind) { %><mark class="finding" title="<%= p.kind %>"><%= p.t %></mark><% } else { %><%= p.t %><% } %><% } %>`;

/** The held message as an inert document for the sandboxed iframe (no layout, no stylesheet). */
const body = `<!doctype html><html><head><meta charset="utf-8"><title>message</title></head><body><table>
<% for (const [k, v] of it.head) { %><tr><th><%= k %></th><td><%~ include('@pieces', { pieces: v }) %></td></tr><% } %></table>
<% for (const sec of it.sections) { %><hr><% if (it.sections.length > 1) { %><h4><%= sec.title %></h4><% } %><pre><%~ include('@pieces', { pieces: sec.pieces }) %></pre><% } %>
<% if (it.attachments.length) { %><h4>Attachments</h4><ul><% for (const a of it.attachments) { %><li><%= a.filename %> (<%= a.contentType %>, <%= a.size %> bytes)</li><% } %></ul><% } %></body></html>`;

/** A customer's messages from the verdict journal (masked data only). */
const customer = `<% layout('@layout', { title: 'Customer ' + it.view.customer, who: it.who }) %><% const v = it.view; %>
<h1>Customer <span id="customer-id"><%= v.customer %></span></h1>
<form class="filters" method="get" action="/customers/<%= encodeURIComponent(v.customer) %>"><label>Since <input type="date" name="since" value="<%= it.since %>"></label><button>Show</button></form>
<p id="customer-count"><%= v.messages.length %> message<%= v.messages.length === 1 ? '' : 's' %> carried this customer's data<%= v.since ? ' since ' + v.since.slice(0, 10) : '' %> (from the verdict journal).</p>
<div class="table-wrap"><table id="customer-messages"><thead><tr><th>When</th><th>Reference</th><th>Recipients (masked)</th><th>Data</th><th>Verdict</th><th>What happened since</th></tr></thead><tbody>
<% for (const m of v.messages) { %><tr data-ref="<%= m.ref %>"><td><%~ include('@time', { iso: m.time, ago: it.ago }) %></td>
<td><% if (m.inQuarantine) { %><a href="/messages/<%= encodeURIComponent(m.ref) %>"><%= m.ref %></a><% } else { %><%= m.ref %><% } %></td>
<td class="recipients"><%= m.recipients.join(', ') || '-' %></td><td><%= m.kinds.join(', ') || '-' %></td><td class="verdict"><%= m.verdict %><% if (m.rules.length) { %> (<%= m.rules.join(', ') %>)<% } %></td>
<td class="status"><strong><%= m.status %></strong><%= m.delivered ? ' · delivered' : ' · not delivered' %><% for (const a of m.actions) { %><div class="action"><%~ include('@time', { iso: a.time, ago: it.ago }) %> <%= a.event %> by <%= a.actor ?? '?' %></div><% } %></td></tr><% } %>
<% if (!v.messages.length) { %><tr><td colspan="6">The journal has no message with this customer's data.</td></tr><% } %></tbody></table></div>`;

/** The printable incident summary of one message (GDPR Art. 33(3)); exact UTC times, as on paper "ago" ages. */
const incident = `<% layout('@layout', { title: 'Incident ' + it.r.ref, who: it.who }) %><% const r = it.r; %>
<article class="incident"><h1>Incident evidence for message <span id="incident-ref"><%= r.ref %></span></h1>
<p class="note noprint">Print this page (or save it as PDF) from the browser; the print layout leaves out the navigation.</p>
<div class="table-wrap"><table class="facts" id="incident-facts">
<tr><th>First seen</th><td><%= r.time.replace('T', ' ').slice(0, 19) %> UTC</td></tr>
<tr><th>Verdict</th><td><%= r.verdict %><% if (r.rules.length) { %> (rules <%= r.rules.join(', ') %>)<% } %></td></tr>
<tr><th>Outcome</th><td id="incident-outcome"><%= it.outcome %></td></tr>
<tr><th>Kinds of data</th><td id="incident-kinds"><%= r.kinds.join(', ') || 'none recorded' %></td></tr>
<tr><th>Data subjects</th><td id="incident-subjects"><%= r.dataSubjects.count %><% if (r.dataSubjects.count) { %> (customer ids: <% r.dataSubjects.customers.forEach((c, i) => { %><%= i ? ', ' : '' %><a href="/customers/<%= encodeURIComponent(c) %>"><%= c %></a><% }) %>)<% } %></td></tr>
<tr><th>Recipients (masked)</th><td id="incident-recipients"><%= r.recipients.join(', ') || '-' %></td></tr>
<% if (r.inQuarantine) { %><tr class="noprint"><th>Message</th><td><a href="/messages/<%= encodeURIComponent(r.ref) %>">open in the quarantine</a></td></tr><% } %></table></div>
<h2>Timeline</h2><div class="table-wrap"><table id="incident-timeline"><thead><tr><th>When (UTC)</th><th>What</th><th>Who</th><th>Details</th></tr></thead><tbody>
<% for (const e of r.timeline) { %><tr><td><%= e.time.replace('T', ' ').slice(0, 19) %></td><td class="event"><%= e.event %></td><td class="actor"><%= e.actor ?? '?' %></td>
<td><%= it.details(e) %></td></tr><% } %></tbody></table></div>
<p class="note">Recipients are masked and no message content is kept in the journal; the held message itself (while it is kept) is in the quarantine.</p></article>`;

const TEMPLATES = {
  layout,
  time,
  pieces,
  login,
  list,
  message,
  audit,
  error,
  request,
  body,
  bulk,
  stats,
  customer,
  incident,
} as const;
export type TemplateName = Exclude<keyof typeof TEMPLATES, 'layout' | 'time' | 'pieces'>;

const eta = new Eta({ autoEscape: true, autoTrim: false, cache: true, useWith: false });
for (const [name, text] of Object.entries(TEMPLATES)) eta.loadTemplate(`@${name}`, text);

/** Renders a page; every `<%= %>` value is HTML-escaped. */
export function render(name: TemplateName, data: object): string {
  return eta.render(`@${name}`, { ago: (iso: string) => ago(iso), ...data });
}

/** "just now", "3 min ago", "5 h ago", "2 days ago", or "in 3 days" for times ahead. */
export function ago(iso: string, now = Date.now()): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const diff = now - ms;
  const abs = Math.abs(diff);
  const fmt = (n: number, unit: string) => (diff >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`);
  if (abs < 45_000) return 'just now';
  if (abs < 3_600_000) return fmt(Math.round(abs / 60_000), 'min');
  if (abs < 86_400_000) return fmt(Math.round(abs / 3_600_000), 'h');
  const days = Math.round(abs / 86_400_000);
  return fmt(days, days === 1 ? 'day' : 'days');
}
