/** Page script, part 4: wires range buttons, filters, paging and the detail view to the loaders. */

export const CLIENT_MAIN = String.raw`
var state = readState();
var nextCursor = null;
var loadSeq = 0;

function showError(message) {
  var box = document.getElementById('error');
  box.hidden = !message;
  box.textContent = message || '';
}

function setFilter(dim, value) {
  state.filter[dim] = value;
  writeState(state);
}

function renderFilters() {
  var box = clear(document.getElementById('filters'));
  var dims = FILTERS.filter(function (f) { return state.filter[f]; });
  box.hidden = dims.length === 0;
  dims.forEach(function (f) {
    box.append(el('button', { type: 'button', className: 'chip', title: 'Remove this filter', onclick: function () { delete state.filter[f]; writeState(state); } },
      [f + ': ' + state.filter[f] + ' ✕']));
  });
  document.querySelectorAll('.ranges button').forEach(function (b) { b.setAttribute('aria-pressed', String(b.dataset.range === state.range)); });
}

function showPage(page, append) {
  nextCursor = page.nextCursor || null;
  document.getElementById('more').hidden = !nextCursor;
  renderInterceptions(page, append, openDetail, setFilter);
}

function load() {
  var seq = ++loadSeq;
  renderFilters();
  var p = function (extra) { return stateParams(state, extra); };
  var keysWanted = document.body.dataset.keys === 'on';
  var mcpWanted = document.body.dataset.mcp === 'on';
  Promise.all([
    getJson('api/totals', p()),
    getJson('api/timeseries', p({ bucket: state.range === '24h' ? 'hour' : 'day' })),
    getJson('api/group', p({ by: 'actor', limit: '10' })),
    getJson('api/group', p({ by: 'model', limit: '10' })),
    getJson('api/group', p({ by: 'client', limit: '10' })),
    getJson('api/tools', p({ limit: '15' })),
    getJson('api/interceptions', p({ limit: '50' })),
    keysWanted ? getJson('api/keys') : Promise.resolve(null),
    mcpWanted ? getJson('api/mcp') : Promise.resolve(null),
    getJson('api/overhead', p()),
    keysWanted ? getJson('api/breakers') : Promise.resolve(null),
    keysWanted && state.filter.actor ? getJson('api/limits', new URLSearchParams({ actor: state.filter.actor })) : Promise.resolve(null),
  ]).then(function (r) {
    if (seq !== loadSeq) return;
    showError(null);
    renderTotals(r[0]);
    renderChart(r[1], state);
    renderGroups('by-actor', 'actor', r[2].groups, setFilter);
    renderGroups('by-model', 'model', r[3].groups, setFilter);
    renderGroups('by-client', 'client', r[4].groups, setFilter);
    renderTools(r[5].tools);
    showPage(r[6], false);
    renderKeys(r[7]);
    renderMcp(r[8]);
    renderLatency(r[9]);
    renderBreakers(r[10]);
    renderLimits(r[11], keysWanted, state.filter.actor);
    document.body.dataset.loaded = String(seq);
  }).catch(function (err) {
    if (seq === loadSeq) showError('Could not load usage: ' + err.message);
  });
}

document.querySelectorAll('.ranges button').forEach(function (b) {
  b.addEventListener('click', function () { state.range = b.dataset.range; writeState(state); });
});
document.getElementById('refresh').addEventListener('click', load);
document.getElementById('more').addEventListener('click', function () {
  if (!nextCursor) return;
  getJson('api/interceptions', stateParams(state, { limit: '50', cursor: nextCursor }))
    .then(function (page) { showPage(page, true); })
    .catch(function (err) { showError('Could not load more: ' + err.message); });
});
document.getElementById('detail-close').addEventListener('click', function () { document.getElementById('detail').close(); });
window.addEventListener('hashchange', function () { state = readState(); load(); });
load();
`;
