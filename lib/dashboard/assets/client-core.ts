/** Page script, part 1: DOM building without innerHTML, number/cost/date formatting, the JSON fetcher, URL state. */

// Plain browser JavaScript kept as text (no build step); every client-supplied value goes through text nodes.
export const CLIENT_CORE = String.raw`
var API_BASE = new URL('../', document.currentScript.src);
var RANGES = ['24h', '7d', '30d'];
var FILTERS = ['actor', 'model', 'provider', 'client'];
var NUMBER = new Intl.NumberFormat(undefined);

/** Builds an element; children are nodes or strings, and strings always become text nodes. */
function el(tag, props, children) {
  var node = document.createElement(tag);
  if (props) {
    Object.keys(props).forEach(function (k) {
      if (k === 'className') node.className = props[k];
      else if (k === 'text') node.textContent = props[k];
      else if (k === 'title') node.title = props[k];
      else if (k === 'type') node.type = props[k];
      else if (k === 'onclick') node.addEventListener('click', props[k]);
      else node.setAttribute(k, props[k]);
    });
  }
  (children || []).forEach(function (c) {
    if (c === null || c === undefined) return;
    node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  });
  return node;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

function num(n) { return NUMBER.format(n || 0); }

function tokensOf(t) { return (t.input || 0) + (t.output || 0) + (t.cacheRead || 0) + (t.cacheWrite || 0); }

/** v as a plain decimal with at most significant digits: never 1.5e-7, which toPrecision and Chart.js write for tiny costs. */
function plainDecimal(v, significant) {
  if (v === 0 || !isFinite(v)) return String(v);
  var decimals = Math.min(20, Math.max(0, significant - 1 - Math.floor(Math.log10(Math.abs(v)))));
  return v.toFixed(decimals);
}

function usd(v) {
  if (v >= 1) return '$' + v.toFixed(2);
  if (v >= 0.01) return '$' + v.toFixed(3);
  if (v === 0) return '$0.00';
  return '$' + plainDecimal(v, 2);
}

/** A tick of the chart's cost axis (titled USD): a plain decimal, trailing zeros and float noise dropped. */
function costAxisTick(v) {
  var text = plainDecimal(v, 3);
  return text.indexOf('.') < 0 ? text : text.replace(/\.?0+$/, '');
}

/** A cost estimate as text: models without a price make it "unpriced", never $0. */
function costText(c) {
  if (!c) return '–';
  var unpriced = (c.unpricedModels && c.unpricedModels.length > 0) || c.unpricedTokens > 0;
  if (!unpriced) return usd(c.usd);
  return c.usd > 0 ? usd(c.usd) + ' + unpriced' : 'unpriced';
}

function costTitle(c) {
  if (!c || !c.unpricedModels || c.unpricedModels.length === 0) return 'Estimate';
  return 'Estimate; unpriced: ' + c.unpricedModels.join(', ') + ' (' + num(c.unpricedTokens) + ' tokens)';
}

function costCell(c) {
  return el('td', { className: 'num', title: costTitle(c) }, [costText(c)]);
}

function dateText(iso) {
  if (!iso) return '–';
  var d = new Date(iso);
  return isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/** The page state lives in the URL fragment, so a view can be bookmarked and the back button works. */
function readState() {
  var params = new URLSearchParams(location.hash.slice(1));
  var state = { range: params.get('range'), filter: {} };
  if (RANGES.indexOf(state.range) < 0) state.range = '7d';
  FILTERS.forEach(function (f) { var v = params.get(f); if (v) state.filter[f] = v; });
  return state;
}

function writeState(state) {
  var params = new URLSearchParams();
  params.set('range', state.range);
  FILTERS.forEach(function (f) { if (state.filter[f]) params.set(f, state.filter[f]); });
  location.hash = params.toString();
}

function stateParams(state, extra) {
  var params = new URLSearchParams();
  params.set('range', state.range);
  FILTERS.forEach(function (f) { if (state.filter[f]) params.set(f, state.filter[f]); });
  Object.keys(extra || {}).forEach(function (k) { if (extra[k] !== undefined) params.set(k, extra[k]); });
  return params;
}

/** GET a dashboard endpoint; resolves null on 404, throws with the server's message otherwise. */
function getJson(path, params) {
  var url = new URL(path, API_BASE);
  if (params) url.search = params.toString();
  return fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
    .then(function (res) {
      if (res.status === 404) return null;
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (!res.ok) throw new Error((body && body.error && body.error.message) || ('HTTP ' + res.status));
        return body;
      });
    });
}
`;
