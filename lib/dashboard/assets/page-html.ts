/** The dashboard's HTML shell: static markup only; every value is filled in by the page script with textContent. */

export interface PageShellOptions {
  title: string;
  /** Prefix of asset URLs: `'assets/'` (relative) or `'/mount/path/assets/'`. Only URL-safe characters. */
  assetBase: string;
  /** Whether a bridge was given, so the key-pool panel is shown. */
  hasKeys: boolean;
  /** Whether an MCP tool injector was given, so the MCP server panel is shown. */
  hasMcp: boolean;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

function table(id: string, caption: string, headings: string[]): string {
  const ths = headings.map((h) => `<th scope="col">${h}</th>`).join('');
  return `<table id="${id}"><caption class="sr-only">${caption}</caption><thead><tr>${ths}</tr></thead><tbody></tbody></table>`;
}

/** Built once, at creation: the title is the host's, escaped anyway. */
export function renderPageShell({ title, assetBase, hasKeys, hasMcp }: PageShellOptions): string {
  const t = escapeHtml(title);
  const group = (id: string, label: string, first: string) =>
    `<section class="panel"><h2>${label}</h2>${table(id, label, [first, 'Requests', 'Tokens', 'Est. cost'])}</section>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${t}</title>
<link rel="stylesheet" href="${assetBase}dashboard.css">
<script src="${assetBase}chart.umd.min.js" defer></script>
<script src="${assetBase}dashboard.js" defer></script>
</head>
<body data-keys="${hasKeys ? 'on' : 'off'}" data-mcp="${hasMcp ? 'on' : 'off'}">
<header class="top">
  <h1>${t}</h1>
  <nav class="ranges" aria-label="Time range">
    <button type="button" data-range="24h">24 hours</button><button type="button" data-range="7d">7 days</button><button type="button" data-range="30d">30 days</button>
  </nav>
  <button type="button" id="refresh" class="ghost">Refresh</button>
</header>
<div id="filters" class="filters" hidden></div>
<div id="error" class="banner" role="alert" hidden></div>
<main>
  <section id="cards" class="cards" aria-label="Totals"></section>
  <section class="panel wide">
    <h2>Tokens and estimated cost over time</h2>
    <div class="chart-box"><canvas id="usage-chart" role="img" aria-label="Tokens and estimated cost per time bucket"></canvas></div>
    <p id="chart-empty" class="empty" hidden>No usage in this range.</p>
  </section>
  <div class="grid">
    ${group('by-actor', 'Top users', 'User')}
    ${group('by-model', 'Top models', 'Model')}
    ${group('by-client', 'Clients', 'Client')}
    <section class="panel"><h2>Tool usage</h2>${table('tools', 'Tool usage', ['Tool', 'Kind', 'Calls', 'Errors'])}</section>
    <section class="panel" id="latency-panel"><h2>Latency to first byte</h2>${table('latency', 'Latency to first byte', ['', 'p50', 'p90', 'p99'])}<p id="latency-samples" class="empty"></p></section>
  </div>
  <section class="panel wide">
    <h2>Recent interceptions</h2>
    <div class="scroll">${table('interceptions', 'Recent interceptions', ['Started', 'User', 'Model', 'Client', 'Status', 'Error', 'Attempts', 'Tokens', 'Est. cost'])}</div>
    <button type="button" id="more" class="ghost" hidden>Load more</button>
  </section>
  <section class="panel wide" id="keys-panel" hidden>
    <h2>Key pools</h2>
    <div id="keys"></div>
  </section>
  <section class="panel wide" id="limits-panel" hidden>
    <h2>Rate limits</h2>
    <p id="limits-hint" class="empty"></p>
    <div class="scroll">${table('limits', 'Rate limits', ['Limit', 'Kind', 'Counter of', 'Used', 'Allowed', 'Remaining', 'Resets'])}</div>
  </section>
  <section class="panel wide" id="breakers-panel" hidden>
    <h2>Circuit breakers</h2>
    <div class="scroll">${table('breakers', 'Circuit breakers', ['Provider', 'API', 'Model', 'State', 'Failures', 'Open until'])}</div>
  </section>
  <section class="panel wide" id="mcp-panel" hidden>
    <h2>MCP servers</h2>
    <div class="scroll">${table('mcp', 'MCP servers', ['Server', 'URL', 'State', 'Tools offered', 'Last listed', 'Last error'])}</div>
  </section>
</main>
<dialog id="detail" aria-labelledby="detail-title">
  <div class="dialog-head"><h2 id="detail-title">Interception</h2><button type="button" id="detail-close" class="ghost" aria-label="Close">Close</button></div>
  <div id="detail-body"></div>
</dialog>
<footer>Costs are estimates from the price table. Models without a price are shown as <em>unpriced</em>, never as $0.</footer>
</body>
</html>
`;
}
