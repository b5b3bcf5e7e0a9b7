/**
 * The console stylesheet (served at /console.css; pages allow styles from 'self' only). Works from 390 px
 * phones up (wide tables scroll inside their box), follows the system's dark mode (prefers-color-scheme), and
 * shows a visible focus ring for keyboard use.
 */
export const CSS = `:root{--fg:#1f2933;--bg:#fff;--muted:#616e7c;--line:#d9e2ec;--head:#243b53;--head-fg:#fff;--link:#0b5cad;--mark:#ffe08a;--ok:#e3f9e5;--err:#fde2e1;--chip:#e4e7eb;--track:#e4e7eb;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--fg:#e4e7eb;--bg:#12181f;--muted:#9aa5b1;--line:#323f4b;--head:#0b1a2a;--head-fg:#e4e7eb;--link:#7cc4fa;--mark:#8d6e00;--ok:#14452f;--err:#5c1a1a;--chip:#323f4b;--track:#323f4b}}
*{box-sizing:border-box}body{font:15px/1.45 system-ui,sans-serif;margin:0;color:var(--fg);background:var(--bg)}a{color:var(--link)}
header{background:var(--head);color:var(--head-fg);padding:8px 16px;display:flex;gap:8px 16px;align-items:center;flex-wrap:wrap}header a{color:var(--head-fg);margin-right:12px}header nav{display:flex;flex-wrap:wrap}
header form{margin-left:auto}header button{background:transparent;color:var(--head-fg);border-color:var(--head-fg)}main{padding:16px;max-width:1200px}h1 .count{font-size:.6em;background:var(--chip);border-radius:10px;padding:2px 8px;vertical-align:middle}
.table-wrap{overflow-x:auto;max-width:100%}table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid var(--line);padding:6px;text-align:left;vertical-align:top}
table.facts th{width:9em;color:var(--muted);font-weight:normal}mark{background:var(--mark);color:inherit;padding:0 2px}.err{background:var(--err);padding:8px}.ok{background:var(--ok);padding:8px}.note{color:var(--muted);font-size:.9em}
iframe{width:100%;height:360px;border:1px solid var(--line);background:#fff}.actions{display:flex;gap:16px;flex-wrap:wrap;margin-top:12px}.actions form{flex:1;min-width:240px;border:1px solid var(--line);padding:8px}
textarea{width:100%;min-height:60px}input,select,textarea,button{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--muted);border-radius:4px;padding:4px 6px}
button{cursor:pointer;background:var(--chip)}button.danger{border-color:#c62828}label{display:block;margin:4px 0}.filters label{display:inline-block}
.filters{display:flex;gap:8px;flex-wrap:wrap;align-items:end;margin-bottom:12px}.filters input[type=search]{min-width:16em}
:focus-visible{outline:3px solid #f0b429;outline-offset:2px}.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.chip{display:inline-block;background:var(--chip);border-radius:10px;padding:0 8px;margin:1px 0}.justification{color:var(--muted);font-size:.9em}
fieldset.bulk{border:1px solid var(--line);margin:12px 0}.pages{display:flex;gap:16px;align-items:center;margin:12px 0}
time{text-decoration:underline dotted;text-underline-offset:2px}
svg{max-width:720px;display:block}svg text{fill:var(--fg);font-size:12px}svg .track{fill:var(--track)}.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:4px 16px}.swatch{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
.s0{fill:#2f80ed;background:#2f80ed}.s1{fill:#eb5757;background:#eb5757}.s2{fill:#27ae60;background:#27ae60}.s3{fill:#f2994a;background:#f2994a}.s4{fill:#9b51e0;background:#9b51e0}.s5{fill:#56ccf2;background:#56ccf2}.s6{fill:#828282;background:#828282}.s7{fill:#bb6bd9;background:#bb6bd9}
a.chip{text-decoration:none}.action{font-size:.9em;color:var(--muted)}
@media print{:root{--fg:#000;--bg:#fff;--muted:#333;--line:#999;--link:#000;color-scheme:light}header,.filters,.noprint,.actions{display:none}main{padding:0;max-width:none}
body{font-size:11pt}a{text-decoration:none}.table-wrap{overflow:visible}table{page-break-inside:auto}tr{page-break-inside:avoid}h1{font-size:16pt}}
@media (max-width:600px){main{padding:8px}header form{margin-left:0}th,td{padding:4px}#messages th:nth-child(n+7),#messages td:nth-child(n+7){display:none}.filters>*{flex:1 1 100%}.filters input[type=search]{min-width:0;width:100%}}`;
