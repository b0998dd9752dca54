// The observer dashboard's page: draws the topology from /api/events (Server-Sent Events), runs the
// control panel against the /api endpoints, charts one link's history and tails the trace log.
// No libraries: the graph and the chart are plain SVG.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const NODE_RADIUS = 24;
const LAYER_GAP = 165;
const ROW_GAP = 125;
const MARGIN = 70;
const MAX_TRACES = 2000;

const state = {
  snapshot: null,
  // Every node and link ever seen. The layout is computed from these, so it only changes when the
  // topology grows; a node that dies or a link that breaks leaves everything else where it was.
  knownNodes: new Set(),
  knownLinks: new Map(),
  sourceNodes: new Set(),
  positions: new Map(),
  layoutKey: '',
  traces: [],
  lastHistoryFetch: 0,
};

const $ = id => document.getElementById(id);

function element(name, attributes, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes || {}))
    node.setAttribute(key, value);
  if (parent)
    parent.appendChild(node);
  return node;
}

function kilobytes(bytesPerSecond) {
  return `${(bytesPerSecond / 1000).toFixed(1)} KB/s`;
}

function shortRate(bytesPerSecond) {
  const k = bytesPerSecond / 1000;
  return k >= 1000 ? `${(k / 1000).toFixed(k >= 10000 ? 0 : 1)} MB/s` : `${k.toFixed(k >= 100 ? 0 : 1)} KB/s`;
}

// ---- layout: layers by longest path from the sources (left to right), rows by name ----

function updateLayout() {
  const names = [...state.knownNodes].sort();
  const key = names.join(',') + '|' + [...state.knownLinks.keys()].sort().join(',') + '|' + [...state.sourceNodes].sort().join(',');
  if (key === state.layoutKey)
    return false;
  state.layoutKey = key;

  const depth = new Map(names.map(name => [name, 0]));
  const edges = [...state.knownLinks.values()];
  // Relax at most once per node, so a cycle cannot push nodes out forever.
  for (let round = 0; round < names.length; round++) {
    let changed = false;
    for (const edge of edges) {
      if (state.sourceNodes.has(edge.to) || !depth.has(edge.from) || !depth.has(edge.to))
        continue;
      const candidate = depth.get(edge.from) + 1;
      if (candidate > depth.get(edge.to) && candidate < names.length) {
        depth.set(edge.to, candidate);
        changed = true;
      }
    }
    if (!changed)
      break;
  }

  const layers = new Map();
  for (const name of names) {
    const d = depth.get(name);
    if (!layers.has(d))
      layers.set(d, []);
    layers.get(d).push(name);
  }
  const columns = Math.max(...layers.keys()) + 1;
  const rows = Math.max(...[...layers.values()].map(layer => layer.length));
  const height = MARGIN * 2 + (rows - 1) * ROW_GAP;
  for (const [d, layer] of layers) {
    layer.forEach((name, i) => {
      const y = height / 2 + (i - (layer.length - 1) / 2) * ROW_GAP;
      state.positions.set(name, { x: MARGIN + d * LAYER_GAP, y });
    });
  }
  $('graph').setAttribute('viewBox', `0 0 ${MARGIN * 2 + (columns - 1) * LAYER_GAP} ${height}`);
  return true;
}

// ---- the graph ----

function selectedApplication() {
  const value = $('app-select').value;
  return value === 'all' ? null : Number(value);
}

function drawGraph(snapshot) {
  const svg = $('graph');
  svg.replaceChildren();
  const defs = element('defs', {}, svg);
  const marker = element('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerUnits: 'userSpaceOnUse', markerWidth: 11, markerHeight: 11, orient: 'auto-start-reverse' }, defs);
  element('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#4b5563' }, marker);

  const application = selectedApplication();
  const links = snapshot.links.filter(link => application === null || link.applications.includes(application));
  const ids = new Set(links.map(link => link.id));
  const maxRate = Math.max(1, ...links.map(link => link.bytesPerSecond));
  const linkLayer = element('g', { id: 'links' }, svg);
  const nodeLayer = element('g', { id: 'nodes' }, svg);
  const chartLink = $('chart-link').value;

  for (const link of links) {
    const from = state.positions.get(link.fromName);
    const to = state.positions.get(link.toName);
    if (!from || !to)
      continue;
    const dx = to.x - from.x, dy = to.y - from.y;
    const length = Math.hypot(dx, dy) || 1;
    const ux = dx / length, uy = dy / length;
    // Two links in opposite directions sit side by side instead of on top of each other.
    const offset = ids.has(`${link.toName}->${link.fromName}`) ? 6 : 0;
    const ox = -uy * offset, oy = ux * offset;
    const classes = ['link'];
    if (link.bandwidthLimit !== null)
      classes.push('limited');
    if (link.id === chartLink)
      classes.push('selected');
    const group = element('g', { class: classes.join(' '), 'data-link': link.id, 'data-rate': link.bytesPerSecond.toFixed(0) }, linkLayer);
    element('line', {
      x1: from.x + ux * NODE_RADIUS + ox, y1: from.y + uy * NODE_RADIUS + oy,
      x2: to.x - ux * (NODE_RADIUS + 2) + ox, y2: to.y - uy * (NODE_RADIUS + 2) + oy,
      'stroke-width': (1.5 + 4 * link.bytesPerSecond / maxRate).toFixed(2), 'marker-end': 'url(#arrow)',
    }, group);
    const mx = (from.x + to.x) / 2 + ox * 2, my = (from.y + to.y) / 2 + oy * 2;
    const rate = element('text', { class: 'rate', x: mx, y: my - 4, 'data-link-label': link.id }, group);
    rate.textContent = kilobytes(link.bytesPerSecond);
    const buffer = element('text', { class: 'buffer', x: mx, y: my + 9 }, group);
    buffer.textContent = `buf ${link.bufferedMessages}/${link.bufferCapacity}` + (link.bandwidthLimit !== null ? ` · ≤${shortRate(link.bandwidthLimit)}` : '');
    const title = element('title', {}, group);
    title.textContent = `${link.id}: ${kilobytes(link.bytesPerSecond)}, ${link.messagesPerSecond.toFixed(1)} msg/s` +
      (link.roundTripMilliseconds !== null ? `, RTT ${link.roundTripMilliseconds.toFixed(2)} ms` : '') +
      `, applications ${link.applications.join(', ') || '-'}`;
    group.addEventListener('click', () => selectLink(link.id));
  }

  for (const node of snapshot.nodes) {
    const position = state.positions.get(node.name);
    if (!position)
      continue;
    const classes = ['node', node.alive ? 'alive' : 'dead'];
    if (node.sources.length > 0)
      classes.push('source');
    const group = element('g', { class: classes.join(' '), 'data-node': node.name, 'data-id': node.id, 'data-alive': String(node.alive) }, nodeLayer);
    element('circle', { cx: position.x, cy: position.y, r: NODE_RADIUS }, group);
    const name = element('text', { class: 'name', x: position.x, y: position.y }, group);
    name.textContent = node.name.length > 3 ? '•' : node.name;
    const details = nodeDetails(node);
    details.forEach((line, i) => {
      const text = element('text', { class: 'detail', x: position.x, y: position.y + NODE_RADIUS + 13 + i * 12 }, group);
      text.textContent = line;
    });
    const title = element('title', {}, group);
    title.textContent = `${node.name} (${node.id}) ${node.alive ? 'alive' : 'dead'}, last seen ${new Date(node.lastSeen).toLocaleTimeString()}`;
    group.addEventListener('click', () => selectNode(node.name));
  }
}

function nodeDetails(node) {
  const lines = [];
  if (node.name.length > 3)
    lines.push(node.name);
  if (!node.alive)
    return [...lines, 'dead'];
  if (node.bufferCapacity > 0)
    lines.push(`buf ${node.bufferedMessages}/${node.bufferCapacity}`);
  const limits = [];
  if (node.totalBandwidth !== null)
    limits.push(`total ≤${shortRate(node.totalBandwidth)}`);
  if (node.uploadBandwidth !== null)
    limits.push(`up ≤${shortRate(node.uploadBandwidth)}`);
  if (node.downloadBandwidth !== null)
    limits.push(`down ≤${shortRate(node.downloadBandwidth)}`);
  lines.push(...limits);
  if (node.sources.length > 0)
    lines.push(`source: app ${node.sources.join(', ')}`);
  return lines;
}

// ---- selects that follow the topology ----

function fillSelect(select, values, label) {
  const current = select.value;
  const wanted = values.join('\n');
  if (select.dataset.values === wanted)
    return;
  select.dataset.values = wanted;
  const keep = [...select.options].filter(option => option.dataset.fixed === 'true');
  select.replaceChildren(...keep);
  for (const value of values) {
    const option = document.createElement('option');
    option.value = value;
    option.textContent = label ? label(value) : value;
    select.appendChild(option);
  }
  if ([...select.options].some(option => option.value === current))
    select.value = current;
}

function updateSelects(snapshot) {
  const names = snapshot.nodes.map(node => node.name).sort();
  document.querySelectorAll('.node-select').forEach(select => fillSelect(select, names));
  const links = [...state.knownLinks.keys()].sort();
  document.querySelectorAll('.link-select').forEach(select => fillSelect(select, links));
  const traceNode = $('trace-node');
  traceNode.options[0].dataset.fixed = 'true';
  fillSelect(traceNode, names);
  const appSelect = $('app-select');
  appSelect.options[0].dataset.fixed = 'true';
  const sources = new Map(snapshot.applications.map(app => [String(app.id), app.sources]));
  fillSelect(appSelect, snapshot.applications.map(app => String(app.id)),
    id => `application ${id}` + (sources.get(id).length ? ` (source ${sources.get(id).join(', ')})` : ''));
}

function selectNode(name) {
  document.querySelectorAll('.node-select').forEach(select => { select.value = name; });
}

function selectLink(id) {
  document.querySelectorAll('.link-select').forEach(select => { select.value = id; });
  state.lastHistoryFetch = 0;
  if (state.snapshot)
    render(state.snapshot);
}

// ---- snapshots ----

function render(snapshot) {
  state.snapshot = snapshot;
  for (const node of snapshot.nodes) {
    state.knownNodes.add(node.name);
    if (node.sources.length > 0)
      state.sourceNodes.add(node.name);
  }
  for (const link of snapshot.links)
    state.knownLinks.set(link.id, { from: link.fromName, to: link.toName });
  updateLayout();
  updateSelects(snapshot);
  drawGraph(snapshot);
  const alive = snapshot.nodes.filter(node => node.alive).length;
  $('summary').textContent = `${alive}/${snapshot.nodes.length} nodes alive · ${snapshot.links.length} links · ` +
    `observer ${snapshot.observer} · updated ${new Date(snapshot.time).toLocaleTimeString()}`;
  if (Date.now() - state.lastHistoryFetch >= 1000) {
    state.lastHistoryFetch = Date.now();
    refreshChart();
  }
}

// ---- the chart ----

async function refreshChart() {
  const link = $('chart-link').value;
  const svg = $('chart');
  if (!link) {
    drawChart(svg, link, [], null);
    return;
  }
  try {
    const response = await fetch(`api/history?link=${encodeURIComponent(link)}`);
    const samples = response.ok ? await response.json() : [];
    const current = state.snapshot?.links.find(l => l.id === link);
    if ($('chart-link').value === link)
      drawChart(svg, link, samples, current ? current.bandwidthLimit : null);
  } catch {
    // The next snapshot tries again.
  }
}

function drawChart(svg, link, samples, limit) {
  svg.replaceChildren();
  const width = 640, height = 220, left = 62, right = 12, top = 12, bottom = 28;
  svg.dataset.chartLink = link || '';
  svg.dataset.samples = String(samples.length);
  svg.dataset.last = samples.length ? samples[samples.length - 1].bytesPerSecond.toFixed(0) : '';
  if (samples.length === 0) {
    const empty = element('text', { class: 'chart-empty', x: width / 2, y: height / 2, 'text-anchor': 'middle' }, svg);
    empty.textContent = link ? `no samples of ${link} yet` : 'pick a link';
    return;
  }
  const end = new Date(samples[samples.length - 1].time).getTime();
  const span = Math.max(60_000, end - new Date(samples[0].time).getTime());
  const peak = Math.max(limit || 0, ...samples.map(s => s.bytesPerSecond));
  const top_ = niceCeiling(peak * 1.1 || 1000);
  const x = t => left + (1 - (end - t) / span) * (width - left - right);
  const y = v => top + (1 - v / top_) * (height - top - bottom);
  const grid = element('g', { class: 'chart-grid' }, svg);
  for (let i = 0; i <= 4; i++) {
    const value = top_ * i / 4;
    element('line', { class: 'chart-axis', x1: left, x2: width - right, y1: y(value), y2: y(value) }, grid);
    const text = element('text', { x: left - 6, y: y(value) + 4, 'text-anchor': 'end' }, grid);
    text.textContent = shortRate(value);
  }
  for (let seconds = 0; seconds * 1000 <= span; seconds += span > 180_000 ? 60 : 15) {
    const text = element('text', { x: x(end - seconds * 1000), y: height - 8, 'text-anchor': 'middle' }, grid);
    text.textContent = seconds === 0 ? 'now' : `-${seconds}s`;
  }
  if (limit !== null) {
    element('line', { class: 'chart-limit', x1: left, x2: width - right, y1: y(limit), y2: y(limit) }, svg);
  }
  const points = samples.map(s => `${x(new Date(s.time).getTime()).toFixed(1)},${y(s.bytesPerSecond).toFixed(1)}`).join(' ');
  element('polyline', { class: 'chart-line', points }, svg);
  const title = element('title', {}, svg);
  title.textContent = `${link}: ${kilobytes(samples[samples.length - 1].bytesPerSecond)} now`;
}

function niceCeiling(value) {
  const power = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 2.5, 5, 10])
    if (step * power >= value)
      return step * power;
  return 10 * power;
}

// ---- the trace log ----

function traceRow(entry) {
  const row = document.createElement('div');
  row.className = 'trace';
  row.dataset.node = entry.name;
  const time = document.createElement('time');
  time.textContent = new Date(entry.time).toLocaleTimeString();
  const name = document.createElement('b');
  name.textContent = entry.name;
  row.append(time, ' ', name, ' ', entry.text);
  return row;
}

function addTraces(entries) {
  state.traces.push(...entries);
  if (state.traces.length > MAX_TRACES)
    state.traces.splice(0, state.traces.length - MAX_TRACES);
  const filter = $('trace-node').value;
  const log = $('trace-log');
  for (const entry of entries)
    if (!filter || entry.name === filter)
      log.appendChild(traceRow(entry));
  while (log.childElementCount > MAX_TRACES)
    log.firstElementChild.remove();
  if ($('trace-follow').checked)
    log.scrollTop = log.scrollHeight;
}

function redrawTraces() {
  const filter = $('trace-node').value;
  $('trace-log').replaceChildren(...state.traces.filter(entry => !filter || entry.name === filter).map(traceRow));
  if ($('trace-follow').checked)
    $('trace-log').scrollTop = $('trace-log').scrollHeight;
}

// ---- the control panel ----

async function act(url, body) {
  const result = $('action-result');
  result.dataset.ok = 'pending';
  result.textContent = 'waiting for the node…';
  let ok = false, message;
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}) });
    const answer = await response.json().catch(() => ({ ok: false, message: response.statusText }));
    ok = response.ok && answer.ok;
    message = ok ? answer.message : `${response.status}: ${answer.message}`;
  } catch (error) {
    message = `request failed: ${error.message}`;
  }
  result.dataset.ok = String(ok);
  result.textContent = message;
  const entry = document.createElement('li');
  entry.className = ok ? 'ok' : 'error';
  entry.textContent = `${new Date().toLocaleTimeString()} ${message}`;
  $('action-log').prepend(entry);
}

// Empty means "no limit"; anything else is KB/s.
function rateBody(input) {
  const text = input.value.trim();
  if (text === '')
    return { unlimited: true };
  const value = Number(text);
  return { bytesPerSecond: Number.isFinite(value) ? value * 1000 : null };
}

function nodeUrl(select, action) {
  return `api/nodes/${encodeURIComponent(select.value)}/${action}`;
}

function wireControls() {
  $('bw-form').addEventListener('submit', event => {
    event.preventDefault();
    act(nodeUrl($('bw-node'), 'bandwidth'), { scope: $('bw-scope').value, ...rateBody($('bw-rate')) });
  });
  $('link-form').addEventListener('submit', event => {
    event.preventDefault();
    const link = state.knownLinks.get($('link-link').value);
    if (!link)
      return;
    act('api/links/bandwidth', { from: link.from, to: link.to, direction: 'downstream', ...rateBody($('link-rate')) });
  });
  $('source-deploy').addEventListener('click', () =>
    act(nodeUrl($('source-node'), 'source'), { action: 'deploy', applicationId: Number($('source-app').value) }));
  $('source-terminate').addEventListener('click', () =>
    act(nodeUrl($('source-node'), 'source'), { action: 'terminate', applicationId: Number($('source-app').value) }));
  $('kill-form').addEventListener('submit', event => {
    event.preventDefault();
    act(nodeUrl($('kill-node'), 'terminate'));
  });
  $('custom-form').addEventListener('submit', event => {
    event.preventDefault();
    act(nodeUrl($('custom-node'), 'custom'), { first: Number($('custom-first').value), second: Number($('custom-second').value) });
  });
  $('app-select').addEventListener('change', () => state.snapshot && drawGraph(state.snapshot));
  $('chart-link').addEventListener('change', () => selectLink($('chart-link').value));
  $('trace-node').addEventListener('change', redrawTraces);
}

// ---- live updates ----

function connect() {
  const events = new EventSource('api/events');
  events.addEventListener('status', event => {
    $('connection').dataset.state = 'live';
    $('connection').textContent = 'live';
    render(JSON.parse(event.data));
  });
  events.addEventListener('trace', event => addTraces(JSON.parse(event.data)));
  events.onerror = () => {
    // EventSource reconnects by itself and resumes the trace log from the last trace it got.
    $('connection').dataset.state = 'lost';
    $('connection').textContent = 'reconnecting…';
  };
}

wireControls();
connect();
