/** Page script, part 3: the detail view of one interception (facts, attempts, tokens, prompts, tool calls, thoughts). */

export const CLIENT_DETAIL = String.raw`
function facts(pairs) {
  var dl = el('dl', { className: 'facts' });
  pairs.forEach(function (p) {
    if (p[1] === undefined || p[1] === null || p[1] === '') return;
    dl.append(el('dt', { text: p[0] }), el('dd', { text: String(p[1]) }));
  });
  return dl;
}

function section(title, nodes) {
  return [el('h3', { text: title })].concat(nodes);
}

function smallTable(headings, rows) {
  return el('table', null, [
    el('thead', null, [el('tr', null, headings.map(function (h) { return el('th', { scope: 'col', text: h }); }))]),
    el('tbody', null, rows.map(function (r) { return el('tr', null, r.map(function (c) { return el('td', { className: 'wrap', text: c === undefined ? '–' : String(c) }); })); })),
  ]);
}

var CONTENT_MODES = {
  full: 'full (as sent)',
  redacted: 'redacted (e-mail addresses and key-looking strings masked)',
  hashed: 'hashed (salted SHA-256 and size)',
  none: 'none (sizes only)',
};

// No mode recorded: the bridge had no recordContent, so records kept everything.
function contentModeText(mode) {
  return CONTENT_MODES[mode] || (mode ? String(mode) : 'full (as sent; no recordContent)');
}

// A text the content mode left out shows its size instead.
function storedText(text, extra, field) {
  var bytes = extra && extra[field + 'Bytes'];
  return text === '' && bytes ? '(not stored: ' + num(bytes) + ' bytes)' : text;
}

function jsonText(v) {
  try { return typeof v === 'string' ? v : JSON.stringify(v, null, 2); } catch (e) { return String(v); }
}

function renderDetail(d) {
  var i = d.interception;
  var end = d.ended || {};
  var nodes = [facts([
    ['Id', i.id], ['User', i.initiatorId], ['Provider', i.providerName + ' (' + i.provider + ')'], ['Route', i.route],
    ['Model', i.model], ['Streaming', i.streaming ? 'yes' : 'no'], ['Client', i.client], ['Client session', i.clientSessionId],
    ['User agent', i.userAgent], ['Credential', i.credentialKind + (end.credentialHint || i.credentialHint ? ' ' + (end.credentialHint || i.credentialHint) : '')],
    ['Started', dateText(i.startedAt)], ['Ended', end.endedAt ? dateText(end.endedAt) : 'not ended'],
    ['Status', end.status || 'open'], ['HTTP status', end.httpStatus], ['Error type', end.errorType], ['Error code', end.errorCode],
    ['Error', end.errorMessage], ['Content stored', contentModeText(i.contentMode)],
    ['Guard edited', end.guardEdits && end.guardEdits.length ? end.guardEdits.join(', ') : undefined],
    ['Gateway time to first byte', end.gatewayMs === undefined ? undefined : msText(end.gatewayMs)],
    ['Upstream time to first byte', end.upstreamFirstByteMs === undefined ? undefined : msText(end.upstreamFirstByteMs)],
    ['Est. cost', costText(d.cost)],
  ])];
  if (i.metadata && Object.keys(i.metadata).length) nodes = nodes.concat(section('User metadata', [el('pre', { className: 'text', text: jsonText(i.metadata) })]));
  if (end.attempts && end.attempts.length) {
    nodes = nodes.concat(section('Upstream attempts', [smallTable(['Key', 'HTTP status', 'Error type', 'Duration'],
      end.attempts.map(function (a) { return [a.credentialHint, a.httpStatus, a.errorType, num(a.durationMs) + ' ms']; }))]));
  }
  if (d.tokenUsages.length) {
    nodes = nodes.concat(section('Token usage', [smallTable(['Message', 'Input', 'Output', 'Cache read', 'Cache write'],
      d.tokenUsages.map(function (t) { return [t.msgId, num(t.input), num(t.output), num(t.cacheRead), num(t.cacheWrite)]; }))]));
  }
  nodes = nodes.concat(section('Prompts', d.prompts.length
    ? d.prompts.map(function (p) { return el('pre', { className: 'text prompt', text: storedText(p.prompt, p.extra, 'prompt') }); })
    : [el('p', { className: 'empty', text: 'No prompt recorded.' })]));
  if (d.tools.length) {
    nodes = nodes.concat(section('Tool calls', d.tools.map(function (t) {
      return el('div', { className: 'tool-call' }, [
        facts([['Tool', t.tool], ['Kind', t.injected ? 'injected' : 'client'], ['Server', t.serverUrl], ['Call id', t.toolCallId], ['Error', storedText(t.invocationError, t.extra, 'invocationError')]]),
        el('pre', { className: 'text', text: storedText(jsonText(t.args), t.extra, 'args') }),
      ]);
    })));
  }
  if (d.thoughts.length) {
    nodes = nodes.concat(section('Model thoughts', d.thoughts.map(function (t) {
      return el('div', null, [el('span', { className: 'kind', text: t.source }), el('pre', { className: 'text', text: storedText(t.content, t.extra, 'content') })]);
    })));
  }
  return nodes;
}

function openDetail(id) {
  var dialog = document.getElementById('detail');
  var body = clear(document.getElementById('detail-body'));
  body.append(el('p', { className: 'empty', text: 'Loading…' }));
  if (!dialog.open) dialog.showModal();
  getJson('api/interceptions/' + encodeURIComponent(id)).then(function (d) {
    clear(body).append.apply(body, d ? renderDetail(d) : [el('p', { className: 'empty', text: 'This interception is no longer stored.' })]);
  }).catch(function (err) {
    clear(body).append(el('p', { className: 'banner', text: err.message }));
  });
}
`;
