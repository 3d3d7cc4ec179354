/** Page script, part 2: renders totals, the chart, grouped tables, tools, interceptions and key pools. */

export const CLIENT_RENDER = String.raw`
var chart = null;
var CHART_COLORS = { input: '#3056d3', output: '#12b76a', cache: '#98a2b3', cost: '#f79009' };

function card(label, value, sub, title) {
  return el('div', { className: 'card', title: title || '' }, [
    el('div', { className: 'label', text: label }),
    el('div', { className: 'value', text: value }),
    sub ? el('div', { className: 'sub', text: sub }) : null,
  ]);
}

/** The priced part as the figure; unpriced usage stays visible beside it, never folded in as $0. */
function costCard(c) {
  var unpriced = c.unpricedModels && c.unpricedModels.length > 0;
  var value = unpriced && c.usd === 0 ? 'unpriced' : usd(c.usd);
  var sub = unpriced ? 'estimate · + ' + num(c.unpricedTokens) + ' unpriced tokens (' + c.unpricedModels.join(', ') + ')' : 'estimate';
  return card('Est. cost', value, sub, costTitle(c));
}

function renderTotals(t) {
  clear(document.getElementById('cards')).append(
    card('Requests', num(t.interceptions), num(t.completed) + ' completed · ' + num(t.failed) + ' failed · ' + num(t.aborted) + ' aborted'),
    card('Input tokens', num(t.input), 'excluding cache'),
    card('Output tokens', num(t.output)),
    card('Cache tokens', num(t.cacheRead + t.cacheWrite), num(t.cacheRead) + ' read · ' + num(t.cacheWrite) + ' write'),
    costCard(t.cost)
  );
}

/** Every bucket of the range, so gaps show as zero rather than being skipped. */
function bucketStarts(range, bucket) {
  var step = bucket === 'hour' ? 3600000 : 86400000;
  var end = Date.now();
  var start = Math.floor((end - { '24h': 86400000, '7d': 7 * 86400000, '30d': 30 * 86400000 }[range]) / step) * step;
  var out = [];
  for (var t = start; t <= end; t += step) out.push(t);
  return out;
}

function bucketLabel(t, bucket) {
  var d = new Date(t);
  // Day buckets are UTC days: label them in UTC so a negative offset does not show the previous date.
  var opts = bucket === 'hour' ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric', timeZone: 'UTC' };
  if (bucket === 'hour' && d.getHours() === 0) opts = { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
  return d.toLocaleString(undefined, opts);
}

function renderChart(series, state) {
  var byStart = {};
  series.points.forEach(function (p) { byStart[new Date(p.bucketStart).getTime()] = p; });
  var starts = bucketStarts(state.range, series.bucket);
  var pick = function (f) { return starts.map(function (t) { var p = byStart[t]; return p ? f(p) : 0; }); };
  var data = {
    labels: starts.map(function (t) { return bucketLabel(t, series.bucket); }),
    datasets: [
      { type: 'bar', label: 'Input tokens', data: pick(function (p) { return p.input; }), backgroundColor: CHART_COLORS.input, stack: 't', yAxisID: 'y' },
      { type: 'bar', label: 'Output tokens', data: pick(function (p) { return p.output; }), backgroundColor: CHART_COLORS.output, stack: 't', yAxisID: 'y' },
      { type: 'bar', label: 'Cache tokens', data: pick(function (p) { return p.cacheRead + p.cacheWrite; }), backgroundColor: CHART_COLORS.cache, stack: 't', yAxisID: 'y' },
      { type: 'line', label: 'Est. cost (USD)', data: pick(function (p) { return p.cost.usd; }), borderColor: CHART_COLORS.cost, backgroundColor: CHART_COLORS.cost, yAxisID: 'cost', tension: 0, pointRadius: 2 },
    ],
  };
  document.getElementById('chart-empty').hidden = series.points.length > 0;
  if (chart) { chart.data = data; chart.update('none'); return; }
  if (typeof Chart === 'undefined') throw new Error('Chart.js did not load.');
  chart = new Chart(document.getElementById('usage-chart'), {
    data: data,
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { stacked: true, grid: { display: false } },
        y: { stacked: true, beginAtZero: true, title: { display: true, text: 'tokens' } },
        cost: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'est. USD' }, ticks: { callback: costAxisTick } },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  });
}

function emptyRow(cols, text) {
  return el('tr', null, [el('td', { className: 'empty', colspan: String(cols), text: text || 'Nothing in this range.' })]);
}

function filterButton(dim, value, onFilter) {
  if (!value) return el('span', { className: 'empty', text: '(none)' });
  return el('button', { type: 'button', className: 'link', title: 'Show only ' + dim + ' ' + value, onclick: function () { onFilter(dim, value); } }, [value]);
}

function renderGroups(id, dim, groups, onFilter) {
  var body = clear(document.querySelector('#' + id + ' tbody'));
  if (groups.length === 0) return body.append(emptyRow(4));
  groups.forEach(function (g) {
    body.append(el('tr', null, [
      el('td', { className: 'wrap' }, [filterButton(dim, g.key, onFilter)]),
      el('td', { className: 'num', text: num(g.interceptions) }),
      el('td', { className: 'num', text: num(tokensOf(g)) }),
      costCell(g.cost),
    ]));
  });
}

function renderTools(tools) {
  var body = clear(document.querySelector('#tools tbody'));
  if (tools.length === 0) return body.append(emptyRow(4, 'No tool calls in this range.'));
  tools.forEach(function (t) {
    body.append(el('tr', null, [
      el('td', { className: 'wrap', title: t.serverUrl || '' }, [t.tool]),
      el('td', null, [el('span', { className: 'kind', text: t.injected ? 'injected' : 'client' })]),
      el('td', { className: 'num', text: num(t.calls) }),
      el('td', { className: 'num', text: num(t.errors) }),
    ]));
  });
}

function statusBadge(status) {
  var s = status || 'open';
  return el('span', { className: 'status ' + (['completed', 'failed', 'aborted'].indexOf(s) >= 0 ? s : 'open'), text: s });
}

function interceptionRow(i, onOpen, onFilter) {
  var row = el('tr', { className: 'clickable', 'data-id': i.id, tabindex: '0' }, [
    el('td', { text: dateText(i.startedAt) }),
    el('td', { className: 'wrap' }, [filterButton('actor', i.initiatorId, onFilter)]),
    el('td', { className: 'wrap' }, [filterButton('model', i.model, onFilter)]),
    el('td', { text: i.client || '–' }),
    el('td', null, [statusBadge(i.status)]),
    el('td', { text: i.errorType || '' }),
    el('td', { className: 'num', text: i.attempts ? num(i.attempts.length) : '–' }),
    el('td', { className: 'num', text: num(tokensOf(i)) }),
    costCell(i.cost),
  ]);
  var open = function (e) { if (e.target.closest('button')) return; onOpen(i.id); };
  row.addEventListener('click', open);
  row.addEventListener('keydown', function (e) { if (e.key === 'Enter') open(e); });
  return row;
}

function renderInterceptions(page, append, onOpen, onFilter) {
  var body = document.querySelector('#interceptions tbody');
  if (!append) clear(body);
  page.items.forEach(function (i) { body.append(interceptionRow(i, onOpen, onFilter)); });
  if (!append && page.items.length === 0) body.append(emptyRow(9, 'No interceptions in this range.'));
}

function renderKeys(status) {
  var panel = document.getElementById('keys-panel');
  panel.hidden = !status;
  if (!status) return;
  var box = clear(document.getElementById('keys'));
  status.providers.forEach(function (p) {
    var rows = p.keys.map(function (k) {
      return el('tr', null, [
        el('td', { text: k.hint }),
        el('td', null, [el('span', { className: 'status ' + (k.state === 'healthy' ? 'healthy' : 'cooling'), text: k.state })]),
        el('td', { text: k.coolingUntil ? dateText(k.coolingUntil) : '–' }),
        el('td', { text: k.reason || '' }),
      ]);
    });
    box.append(el('div', { className: 'provider-keys' }, [
      el('h3', null, [p.provider + ' ', el('span', { className: 'kind', text: 'store: ' + p.store })]),
      el('table', null, [
        el('thead', null, [el('tr', null, ['Key', 'State', 'Cooling until', 'Reason'].map(function (h) { return el('th', { scope: 'col', text: h }); }))]),
        el('tbody', null, rows.length ? rows : [emptyRow(4, 'No pool keys.')]),
      ]),
    ]));
  });
}

/** One actor's standing on the rate limits (null: no bridge); without a user filter, a hint to choose one. */
function renderLimits(standing, wanted, actor) {
  var panel = document.getElementById('limits-panel');
  panel.hidden = !wanted;
  if (!wanted) return;
  var hint = document.getElementById('limits-hint');
  var body = clear(document.querySelector('#limits tbody'));
  hint.textContent = actor ? 'Standing of ' + actor + '.' : 'Choose a user (in Top users) to see their standing on the rate limits.';
  if (!actor || !standing) return;
  var amount = function (row, v) { return row.unit === 'usd' ? usd(v) : num(v); };
  standing.limits.forEach(function (l) {
    body.append(el('tr', null, [
      el('td', { text: l.name }),
      el('td', { text: l.kind }),
      el('td', { text: l.per + ' ' + l.subject }),
      el('td', { className: 'num', text: amount(l, l.used) }),
      el('td', { className: 'num', text: amount(l, l.limit) }),
      el('td', { className: 'num', text: amount(l, l.remaining) }),
      el('td', { text: l.resetsAt ? dateText(l.resetsAt) : '–' }),
    ]));
  });
  if (standing.limits.length === 0) body.append(emptyRow(7, 'No rate limit applies to this user.'));
}

var CIRCUIT_STATES = ['closed', 'open', 'half-open'];

// Shown only when the bridge's circuit breaker is on (the answer's breakers is null otherwise).
function renderBreakers(status) {
  var panel = document.getElementById('breakers-panel');
  panel.hidden = !status || !status.breakers;
  if (panel.hidden) return;
  var body = clear(document.querySelector('#breakers tbody'));
  status.breakers.forEach(function (b) {
    var state = CIRCUIT_STATES.indexOf(b.state) >= 0 ? b.state : 'unknown';
    body.append(el('tr', null, [
      el('td', { text: b.provider }),
      el('td', { text: b.api }),
      el('td', { text: b.model }),
      el('td', null, [el('span', { className: 'status circuit-' + state, text: state })]),
      el('td', { className: 'num', text: num(b.failures) }),
      el('td', { text: b.openUntil ? dateText(b.openUntil) : '–' }),
    ]));
  });
  if (status.breakers.length === 0) body.append(emptyRow(6, 'No requests yet.'));
}

var MCP_STATES = ['connecting', 'ready', 'failed', 'closed'];

function renderMcp(status) {
  var panel = document.getElementById('mcp-panel');
  panel.hidden = !status;
  if (!status) return;
  var body = clear(document.querySelector('#mcp tbody'));
  status.servers.forEach(function (s) {
    // The state names a CSS class: only the known ones may.
    var state = MCP_STATES.indexOf(s.state) >= 0 ? s.state : 'unknown';
    body.append(el('tr', null, [
      el('td', { text: s.name }),
      el('td', { text: s.url }),
      el('td', null, [el('span', { className: 'status ' + state, text: state })]),
      el('td', { className: 'num', text: num(s.toolsAllowed) + ' of ' + num(s.toolsListed) }),
      el('td', { text: s.lastListedAt ? dateText(s.lastListedAt) : '–' }),
      el('td', { className: 'wrap', text: s.lastError ? dateText(s.lastError.at) + ': ' + s.lastError.message : '' }),
    ]));
  });
  if (status.servers.length === 0) body.append(emptyRow(6, 'No MCP servers.'));
}
`;
