/** The console stylesheet (served at /console.css; pages allow styles from 'self' only). */
export const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222}header{background:#243b53;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
header a{color:#fff;margin-right:12px}header form{margin-left:auto}main{padding:16px}table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
mark{background:#ffe08a;padding:0 2px}.err{background:#fde2e1;padding:8px}.ok{background:#e3f9e5;padding:8px}iframe{width:100%;height:420px;border:1px solid #999}
.actions{display:flex;gap:24px;flex-wrap:wrap}.actions form{flex:1;min-width:260px;border:1px solid #ddd;padding:8px}textarea{width:100%;min-height:60px;box-sizing:border-box}label{display:block;margin:4px 0}
.filters{display:flex;gap:8px;flex-wrap:wrap;margin-bottom:12px}`;
