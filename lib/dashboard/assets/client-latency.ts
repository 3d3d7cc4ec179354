/** Page script, part 3b: the latency panel, the gateway's own time to the head of an answer next to the upstream's. */

export const CLIENT_LATENCY = String.raw`
/** Three significant digits, grouped: 0.42 ms, 35.3 ms, 1,250 ms. */
function msText(v) { return v === undefined || v === null ? '–' : num(Number(plainDecimal(v, 3))) + ' ms'; }

function latencyRow(label, title, p) {
  return el('tr', { title: title }, [
    el('th', { scope: 'row', text: label }),
    el('td', { className: 'num', text: msText(p && p.p50) }),
    el('td', { className: 'num', text: msText(p && p.p90) }),
    el('td', { className: 'num', text: msText(p && p.p99) }),
  ]);
}

function renderLatency(stats) {
  var body = clear(document.querySelector('#latency tbody'));
  document.getElementById('latency-samples').textContent = stats.samples > 0
    ? 'Over the ' + num(stats.samples) + ' most recent timed requests in this range.'
    : '';
  if (!stats.samples) return body.append(emptyRow(4, 'No timed requests in this range.'));
  body.append(
    latencyRow('Gateway overhead', 'The gateway\'s own time from the request to the head of its answer, upstream waits left out', stats.gatewayMs),
    latencyRow('Upstream first byte', 'From sending upstream to the upstream answer\'s head (all attempts before the answer)', stats.upstreamFirstByteMs)
  );
}
`;
