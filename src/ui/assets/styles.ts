/** The web UI's stylesheet, served at /assets/app.css (embedded: no files at runtime). */
export const STYLES = String.raw`
:root {
  color-scheme: light dark;
  --bg: #f5f6f8;
  --panel: #ffffff;
  --panel-2: #f2f4f7;
  --border: #e4e7ec;
  --border-strong: #d0d5dd;
  --text: #161b26;
  --muted: #5d6679;
  --faint: #8a93a6;
  --accent: #5b4ee6;
  --accent-2: #7c6cff;
  --accent-ink: #ffffff;
  --accent-soft: #eeecff;
  --queued: #2563eb;   --queued-bg: #e9f0fe;
  --running: #7c3aed;  --running-bg: #f2ebfe;
  --succeeded: #15803d; --succeeded-bg: #e5f5ea;
  --failed: #c2281f;   --failed-bg: #fdeceb;
  --stale: #a15c07;    --stale-bg: #fff5d6;  --stale-line: #f0b429;
  --dead-bg: #fde8e6;  --dead-line: #e5483d;
  --ended: #667085;    --ended-bg: #eef0f3;
  --shadow: 0 1px 2px rgba(16, 24, 40, .05), 0 1px 3px rgba(16, 24, 40, .07);
  --radius: 12px;
  --sans: ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --mono: ui-monospace, "SF Mono", "JetBrains Mono", "Cascadia Code", Menlo, Consolas, monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1017;
    --panel: #151a23;
    --panel-2: #1b212d;
    --border: #252d3b;
    --border-strong: #323c4e;
    --text: #e7eaf0;
    --muted: #a0a8b8;
    --faint: #6e788b;
    --accent: #8b80ff;
    --accent-2: #a79fff;
    --accent-ink: #0d1017;
    --accent-soft: rgba(139, 128, 255, .14);
    --queued: #79a7ff;   --queued-bg: rgba(121, 167, 255, .13);
    --running: #b794ff;  --running-bg: rgba(183, 148, 255, .14);
    --succeeded: #5fd38d; --succeeded-bg: rgba(95, 211, 141, .12);
    --failed: #ff7b72;   --failed-bg: rgba(255, 123, 114, .13);
    --stale: #f5c451;    --stale-bg: rgba(245, 196, 81, .11);  --stale-line: #d9a413;
    --dead-bg: rgba(255, 96, 84, .13);  --dead-line: #ff6b5f;
    --ended: #8a93a6;    --ended-bg: rgba(138, 147, 166, .14);
    --shadow: 0 1px 2px rgba(0, 0, 0, .4);
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 14px/1.5 var(--sans); font-feature-settings: "tnum" 1;
}
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, .mono, pre, kbd { font-family: var(--mono); font-size: 12.5px; }
h1 { font-size: 22px; line-height: 1.25; margin: 0; letter-spacing: -.01em; }
h2 { font-size: 15px; margin: 0; letter-spacing: -.005em; }
h3 { font-size: 12px; margin: 0 0 8px; color: var(--muted); text-transform: uppercase; letter-spacing: .06em; }
.muted { color: var(--muted); }
.faint { color: var(--faint); }
.small { font-size: 12.5px; }
.nowrap { white-space: nowrap; }

/* top bar */
.topbar {
  position: sticky; top: 0; z-index: 10;
  display: flex; align-items: center; gap: 18px;
  padding: 0 24px; height: 56px;
  background: color-mix(in srgb, var(--panel) 88%, transparent);
  backdrop-filter: saturate(1.4) blur(8px);
  border-bottom: 1px solid var(--border);
}
.brand { display: flex; align-items: center; gap: 8px; font-weight: 700; font-size: 16px; color: var(--text); letter-spacing: -.01em; }
.brand:hover { text-decoration: none; }
.brand svg { width: 22px; height: 22px; }
.project { color: var(--muted); font-size: 13px; padding: 2px 10px; border: 1px solid var(--border); border-radius: 999px; white-space: nowrap; max-width: 220px; overflow: hidden; text-overflow: ellipsis; }
.nav { display: flex; gap: 2px; margin-left: 6px; }
.nav a { color: var(--muted); padding: 6px 11px; border-radius: 8px; font-weight: 500; }
.nav a:hover { color: var(--text); background: var(--panel-2); text-decoration: none; }
.nav a.on { color: var(--text); background: var(--panel-2); box-shadow: inset 0 0 0 1px var(--border); }
.spacer { flex: 1; }
.live { display: inline-flex; align-items: center; gap: 7px; font-size: 12px; color: var(--faint); }
.live i { width: 8px; height: 8px; border-radius: 50%; background: var(--faint); }
.live.on { color: var(--succeeded); }
.live.on i { background: var(--succeeded); box-shadow: 0 0 0 3px color-mix(in srgb, var(--succeeded) 22%, transparent); animation: pulse 2.4s ease-in-out infinite; }
@keyframes pulse { 50% { box-shadow: 0 0 0 6px transparent; } }

/* page */
.page { max-width: 1240px; margin: 0 auto; padding: 26px 24px 64px; }
.page-head { display: flex; align-items: flex-end; justify-content: space-between; gap: 16px; margin-bottom: 20px; flex-wrap: wrap; }
.page-head p { margin: 4px 0 0; color: var(--muted); }
.grid { display: grid; gap: 16px; }
.grid-2 { grid-template-columns: repeat(2, minmax(0, 1fr)); }
.grid-side { grid-template-columns: minmax(0, 1fr) 330px; align-items: start; }
.stack { display: grid; gap: 16px; align-content: start; }
@media (max-width: 900px) { .grid-2, .grid-side { grid-template-columns: 1fr; } .nav a { padding: 6px 7px; } .project { display: none; } }

.card { background: var(--panel); border: 1px solid var(--border); border-radius: var(--radius); box-shadow: var(--shadow); }
.card-head { display: flex; align-items: center; justify-content: space-between; gap: 10px; padding: 13px 16px; border-bottom: 1px solid var(--border); }
.card-head .count { color: var(--faint); font-weight: 500; margin-left: 6px; }
.card-body { padding: 16px; }
.card-foot { padding: 10px 16px; border-top: 1px solid var(--border); font-size: 12.5px; }

/* stats */
.stats { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 12px; margin-bottom: 18px; }
@media (max-width: 900px) { .stats { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
.stat { position: relative; padding: 14px 16px 13px; overflow: hidden; color: var(--text); transition: border-color .15s, transform .15s; }
.stat:hover { text-decoration: none; border-color: var(--border-strong); transform: translateY(-1px); }
.stat::before { content: ""; position: absolute; inset: 0 auto 0 0; width: 3px; background: var(--c, var(--border)); }
.stat .label { color: var(--muted); font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .06em; }
.stat .value { font-size: 28px; font-weight: 650; letter-spacing: -.02em; line-height: 1.2; margin-top: 2px; }
.stat.zero .value { color: var(--faint); }
.stat.c-failed:not(.zero) .value { color: var(--failed); }
.stat.c-stale:not(.zero) .value { color: var(--stale); }
.c-queued { --c: var(--queued); } .c-running { --c: var(--running); } .c-stale { --c: var(--stale-line); }
.c-succeeded { --c: var(--succeeded); } .c-failed { --c: var(--failed); }

/* chips and pills */
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 18px; align-items: center; }
.chip { display: inline-flex; align-items: center; gap: 6px; padding: 4px 11px; border-radius: 999px; border: 1px solid var(--border); background: var(--panel); color: var(--muted); font-size: 13px; font-weight: 500; }
.chip:hover { text-decoration: none; color: var(--text); border-color: var(--border-strong); }
.chip.on { background: var(--accent); border-color: var(--accent); color: var(--accent-ink); }
.chip .n { font-size: 11.5px; opacity: .75; }
.pill { display: inline-flex; align-items: center; gap: 6px; padding: 1px 9px 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; white-space: nowrap; color: var(--c); background: var(--cb); line-height: 20px; }
.pill::before { content: ""; width: 6px; height: 6px; border-radius: 50%; background: currentColor; }
.s-queued { --c: var(--queued); --cb: var(--queued-bg); }
.s-running { --c: var(--running); --cb: var(--running-bg); }
.s-running::before { animation: blink 1.6s ease-in-out infinite; }
@keyframes blink { 50% { opacity: .3; } }
.s-succeeded { --c: var(--succeeded); --cb: var(--succeeded-bg); }
.s-failed { --c: var(--failed); --cb: var(--failed-bg); }
.s-stale { --c: var(--stale); --cb: var(--stale-bg); }
.s-active { --c: var(--succeeded); --cb: var(--succeeded-bg); }
.s-ended { --c: var(--ended); --cb: var(--ended-bg); }
.tag { display: inline-block; padding: 0 7px; border-radius: 6px; background: var(--panel-2); border: 1px solid var(--border); color: var(--muted); font-size: 11.5px; line-height: 18px; }
.counts { display: flex; gap: 5px; flex-wrap: wrap; }
.counts .pill { font-weight: 600; }
.counts .idle { color: var(--faint); font-size: 12.5px; }
svg.bar { display: block; width: 100%; max-width: 260px; height: 5px; margin-top: 7px; border-radius: 3px; background: var(--panel-2); overflow: hidden; }
svg.bar .b-queued { fill: var(--queued); } svg.bar .b-running { fill: var(--running); } svg.bar .b-stale { fill: var(--stale-line); }
svg.bar .b-succeeded { fill: var(--succeeded); } svg.bar .b-failed { fill: var(--failed); }

/* tables */
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-size: 11.5px; font-weight: 600; color: var(--faint); text-transform: uppercase; letter-spacing: .06em; padding: 10px 12px; border-bottom: 1px solid var(--border); white-space: nowrap; }
td { padding: 10px 12px; border-bottom: 1px solid var(--border); vertical-align: top; }
tr:last-child td { border-bottom: 0; }
tbody tr:hover td { background: color-mix(in srgb, var(--panel-2) 60%, transparent); }
tr.stale td { background: var(--stale-bg); }
tr.stale td:first-child { box-shadow: inset 3px 0 0 var(--stale-line); }
tr.autofailed td { background: var(--dead-bg); }
tr.autofailed td:first-child { box-shadow: inset 3px 0 0 var(--dead-line); }
tbody tr.stale:hover td { background: color-mix(in srgb, var(--stale-bg) 80%, var(--panel-2)); }
tbody tr.autofailed:hover td { background: color-mix(in srgb, var(--dead-bg) 80%, var(--panel-2)); }
td.id a { font-family: var(--mono); font-size: 12.5px; }
td .counts { flex-wrap: nowrap; }
td .sub { color: var(--faint); font-size: 12px; margin-top: 1px; }
td.outcome { width: 100%; max-width: 0; min-width: 160px; }
.clip { display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.outcome .err { color: var(--failed); }
.actions { display: flex; gap: 6px; justify-content: flex-end; }

/* task lists on the dashboard */
.tlist { list-style: none; margin: 0; padding: 0; }
.tlist li { border-bottom: 1px solid var(--border); }
.tlist li:last-child { border-bottom: 0; }
.tlist a.row { display: grid; grid-template-columns: auto minmax(0, 1fr) auto; gap: 4px 10px; padding: 10px 16px; color: var(--text); align-items: center; }
.tlist a.row:hover { background: var(--panel-2); text-decoration: none; }
.tlist .tool { font-weight: 600; }
.tlist .meta { color: var(--faint); font-size: 12px; white-space: nowrap; }
.tlist .line2 { grid-column: 2 / 4; color: var(--muted); font-size: 12.5px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.tlist .line2.err { color: var(--failed); }
.tlist li.stale { background: var(--stale-bg); box-shadow: inset 3px 0 0 var(--stale-line); }
.tlist li.autofailed { background: var(--dead-bg); box-shadow: inset 3px 0 0 var(--dead-line); }
.empty { padding: 22px 16px; text-align: center; color: var(--faint); font-size: 13px; }
.empty strong { display: block; color: var(--muted); font-weight: 600; margin-bottom: 2px; }

/* sessions on the dashboard */
.session { padding: 14px 16px; border-bottom: 1px solid var(--border); }
.session:last-child { border-bottom: 0; }
.session-title { display: flex; align-items: center; gap: 10px; }
.streams-mini { display: grid; gap: 6px; margin-top: 10px; }
.stream-mini { display: grid; gap: 6px; padding: 9px 11px; border: 1px solid var(--border); border-radius: 9px; background: var(--panel-2); color: var(--text); }
.stream-mini:hover { border-color: var(--border-strong); text-decoration: none; }

/* forms */
form.inline { display: flex; gap: 10px; align-items: flex-end; flex-wrap: wrap; }
.field { display: grid; gap: 5px; min-width: 0; }
.field > span { font-size: 12.5px; font-weight: 600; color: var(--muted); }
.field .hint { font-size: 12px; color: var(--faint); font-weight: 400; }
.fields { display: grid; gap: 14px; }
.fields-2 { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; align-items: start; }
@media (max-width: 700px) { .fields-2 { grid-template-columns: 1fr; } }
input, select, textarea {
  font: inherit; color: var(--text); background: var(--panel); border: 1px solid var(--border-strong);
  border-radius: 8px; padding: 7px 10px; min-height: 36px; width: 100%;
}
textarea { font-family: var(--mono); font-size: 12.5px; line-height: 1.55; resize: vertical; min-height: 120px; }
input:focus, select:focus, textarea:focus { outline: none; border-color: var(--accent); box-shadow: 0 0 0 3px var(--accent-soft); }
input[type=checkbox] { width: auto; min-height: 0; accent-color: var(--accent); }
label.check { display: inline-flex; gap: 7px; align-items: center; min-height: 36px; color: var(--muted); font-weight: 500; }
.btn {
  display: inline-flex; align-items: center; justify-content: center; gap: 6px; font: inherit; font-weight: 600;
  padding: 7px 14px; min-height: 36px; border-radius: 8px; border: 1px solid var(--border-strong);
  background: var(--panel); color: var(--text); cursor: pointer; white-space: nowrap;
}
.btn:hover { background: var(--panel-2); text-decoration: none; }
.btn:disabled { opacity: .6; cursor: progress; }
.btn-primary { background: var(--accent); border-color: var(--accent); color: var(--accent-ink); }
.btn-primary:hover { background: var(--accent-2); border-color: var(--accent-2); }
.btn-danger { color: var(--failed); }
.btn-danger:hover { background: var(--failed-bg); border-color: var(--failed); }
.btn-sm { padding: 3px 10px; min-height: 28px; font-size: 12.5px; border-radius: 7px; }
.form-msg { font-size: 13px; min-height: 0; }
.form-msg:empty { display: none; }
.form-msg.error { color: var(--failed); background: var(--failed-bg); padding: 8px 12px; border-radius: 8px; }
.form-msg.ok { color: var(--succeeded); background: var(--succeeded-bg); padding: 8px 12px; border-radius: 8px; }
.filters { display: flex; gap: 10px; align-items: flex-end; flex-wrap: wrap; padding: 14px 16px; }
.filters .field { width: 170px; }
.filters .field.narrow { width: 90px; }
.field.w-240 { max-width: 240px; }
.seg { display: inline-flex; border: 1px solid var(--border-strong); border-radius: 9px; overflow: hidden; background: var(--panel); }
.seg a { padding: 6px 12px; color: var(--muted); font-weight: 500; border-right: 1px solid var(--border); }
.seg a:last-child { border-right: 0; }
.seg a:hover { background: var(--panel-2); text-decoration: none; color: var(--text); }
.seg a.on { background: var(--accent-soft); color: var(--accent); }

/* task detail */
.detail-head { display: flex; align-items: flex-start; justify-content: space-between; gap: 16px; flex-wrap: wrap; margin-bottom: 18px; }
.detail-head .idline { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
.detail-head .id { font-family: var(--mono); font-size: 20px; font-weight: 600; letter-spacing: -.01em; }
.detail-head .facts { display: flex; gap: 14px; color: var(--muted); margin-top: 6px; flex-wrap: wrap; }
.detail-head .facts b { color: var(--text); font-weight: 600; }
.banner { border-radius: var(--radius); padding: 16px 18px; border: 1px solid; }
.banner h3 { margin-bottom: 6px; }
.banner.summary { background: var(--succeeded-bg); border-color: color-mix(in srgb, var(--succeeded) 35%, transparent); }
.banner.summary h3 { color: var(--succeeded); }
.banner.summary p { margin: 0; font-size: 16px; line-height: 1.5; white-space: pre-wrap; overflow-wrap: anywhere; }
.banner.error { background: var(--failed-bg); border-color: color-mix(in srgb, var(--failed) 35%, transparent); }
.banner.error h3 { color: var(--failed); }
.banner.error pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 13px; color: var(--text); }
.banner.stale { background: var(--stale-bg); border-color: var(--stale-line); }
.banner.stale h3 { color: var(--stale); }
.banner.info { background: var(--panel); border-color: var(--border); }
pre.code {
  margin: 0; padding: 14px 16px; background: var(--panel-2); border-radius: 0 0 var(--radius) var(--radius);
  overflow: auto; max-height: 460px; line-height: 1.55; white-space: pre; tab-size: 2;
}
pre.code.wrap { white-space: pre-wrap; overflow-wrap: anywhere; }
pre.code.terminal { background: #0f131a; color: #d8dee9; }
pre.code.terminal.err { color: #ffb4ab; }
.card-head .meta { color: var(--faint); font-size: 12px; font-weight: 400; }
.nothing { padding: 14px 16px; color: var(--faint); font-size: 13px; font-style: italic; }
dl.kv { display: grid; grid-template-columns: auto 1fr; gap: 8px 14px; margin: 0; }
dl.kv dt { color: var(--muted); font-size: 12.5px; }
dl.kv dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
.instructions { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; font-family: var(--sans); font-size: 13.5px; line-height: 1.55; max-height: 360px; overflow: auto; }
.preview { color: var(--muted); font-size: 12.5px; max-width: 420px; overflow: hidden; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; white-space: pre-wrap; overflow-wrap: anywhere; }
.script-info { font-size: 12.5px; color: var(--muted); background: var(--panel-2); border-radius: 8px; padding: 8px 10px; }
.script-info:empty { display: none; }
.copy { border: 0; background: none; color: var(--faint); cursor: pointer; padding: 2px 4px; border-radius: 5px; font-size: 12px; }
.copy:hover { color: var(--accent); background: var(--accent-soft); }

/* toasts */
#toasts { position: fixed; right: 18px; bottom: 18px; display: grid; gap: 8px; z-index: 50; }
.toast { background: var(--text); color: var(--bg); padding: 10px 14px; border-radius: 10px; box-shadow: 0 6px 24px rgba(0, 0, 0, .2); font-size: 13px; max-width: 420px; animation: rise .18s ease-out; }
.toast.error { background: var(--failed); color: #fff; }
.toast a { color: inherit; text-decoration: underline; }
@keyframes rise { from { transform: translateY(6px); opacity: 0; } }
footer.foot { max-width: 1240px; margin: 0 auto; padding: 0 24px 28px; color: var(--faint); font-size: 12px; }
`;
