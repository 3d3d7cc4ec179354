/** The dashboard's stylesheet, served as `assets/dashboard.css` (CSP forbids inline styles). */

export const PAGE_CSS = String.raw`
:root {
  --bg: #f5f6f8; --panel: #fff; --text: #1d2330; --muted: #667085; --line: #e4e7ec; --accent: #3056d3;
  --ok: #12805c; --bad: #c4320a; --warn: #b54708; --chip: #eef2ff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #0f1419; --panel: #171d25; --text: #e6e9ef; --muted: #98a2b3; --line: #2a323d; --accent: #7c9cff; --chip: #22304d; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
header.top { display: flex; align-items: center; gap: 16px; padding: 14px 24px; background: var(--panel); border-bottom: 1px solid var(--line); }
header.top h1 { font-size: 18px; margin: 0; flex: 1; }
button { font: inherit; color: inherit; cursor: pointer; }
.ranges { display: inline-flex; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.ranges button { border: 0; background: transparent; padding: 6px 12px; }
.ranges button + button { border-left: 1px solid var(--line); }
.ranges button[aria-pressed="true"] { background: var(--accent); color: #fff; }
.ghost { background: transparent; border: 1px solid var(--line); border-radius: 8px; padding: 6px 12px; }
.link { background: none; border: 0; padding: 0; color: var(--accent); text-align: left; }
.link:hover { text-decoration: underline; }
.filters { display: flex; gap: 8px; flex-wrap: wrap; padding: 10px 24px 0; }
.chip { background: var(--chip); border: 1px solid var(--line); border-radius: 999px; padding: 3px 10px; }
.banner { margin: 12px 24px 0; padding: 10px 14px; border-radius: 8px; background: #fef3f2; color: var(--bad); border: 1px solid #fecdca; }
main { padding: 16px 24px 24px; display: flex; flex-direction: column; gap: 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 22px; font-weight: 600; margin-top: 2px; font-variant-numeric: tabular-nums; }
.card .sub { color: var(--muted); font-size: 12px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; min-width: 0; }
.panel h2 { font-size: 14px; margin: 0 0 10px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 16px; }
.chart-box { position: relative; height: 280px; }
.scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; white-space: nowrap; }
th { color: var(--muted); font-weight: 500; font-size: 12px; }
td.num, th.num { text-align: right; }
td.wrap { white-space: normal; word-break: break-word; }
tbody tr.clickable { cursor: pointer; }
tbody tr.clickable:hover { background: var(--chip); }
.empty { color: var(--muted); }
.status { display: inline-block; border-radius: 999px; padding: 1px 8px; font-size: 12px; border: 1px solid currentColor; }
.status.completed, .status.healthy, .status.ready { color: var(--ok); }
.status.failed, .status.cooling { color: var(--bad); }
.status.aborted, .status.open, .status.connecting { color: var(--warn); }
.status.closed { color: var(--muted); }
.status.circuit-closed { color: var(--ok); }
.status.circuit-open { color: var(--bad); }
.status.circuit-half-open { color: var(--warn); }
.kind { font-size: 12px; color: var(--muted); }
dialog { width: min(960px, 94vw); max-height: 90vh; border: 1px solid var(--line); border-radius: 12px; padding: 0; background: var(--panel); color: var(--text); }
dialog::backdrop { background: rgba(15, 20, 25, .45); }
.dialog-head { display: flex; align-items: center; justify-content: space-between; padding: 12px 16px; border-bottom: 1px solid var(--line); position: sticky; top: 0; background: var(--panel); }
.dialog-head h2 { margin: 0; font-size: 16px; }
#detail-body { padding: 12px 16px 16px; }
#detail-body h3 { font-size: 13px; margin: 16px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; word-break: break-word; }
pre.text { white-space: pre-wrap; word-break: break-word; background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; margin: 4px 0 8px; max-height: 320px; overflow: auto; font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; }
.provider-keys + .provider-keys { margin-top: 12px; }
.provider-keys h3 { font-size: 13px; margin: 0 0 6px; }
footer { color: var(--muted); font-size: 12px; padding: 0 24px 24px; }
`;
