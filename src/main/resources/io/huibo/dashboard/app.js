// Huibo dashboard: plain browser JavaScript over the HTTP API (README.md, "HTTP API"), no framework and
// nothing loaded from elsewhere. The API key is kept in sessionStorage (this tab only) and sent as a bearer
// header on every /v1 call, the live stream included: EventSource cannot send headers, so the stream is
// read with fetch() and parsed here, and the key never appears in a URL (or a server's access log).
(function () {
  'use strict';

  const KEY = 'huibo.apiKey';
  const HOUR = 3600 * 1000;
  const PAGE = 25;
  const IN_PROGRESS = 8;
  const ENDED = new Set(['completed', 'failed', 'cancelled']);

  const state = {
    token: null,
    timers: [],
    stream: null,          // AbortController of the live stream
    lastEventId: null,
    retryMs: 2000,
    rangeMs: HOUR,         // what the charts show (the server keeps an hour)
    points: [],            // {t, waiting, dueNow, leased, rate}: history, then our own polls
    nodes: [],
    rows: new Map(),       // callback id -> summary shown in the table
    outcomes: new Map(),   // callback id -> last attempt {attempt, outcome, failedLeg, hangupCause, node}
    fetching: new Set(),   // ids whose detail is being read for their outcome
    checked: new Map(),    // id -> state + attempt count its detail was read at (read again only on a change)
    ended: [],             // {t, node}: attempt results seen on the stream, for the per-node rate
    filter: new URLSearchParams(),
    cursor: null,
    detailId: null,
    requested: null,       // id submitted through the form
    reloadTimer: null,
    detailTimer: null,
    inProgressTimer: null,
  };

  const $ = (id) => document.getElementById(id);

  // ---- small DOM helpers: text goes in as text, never as HTML

  function h(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      // through the CSSOM: the Content-Security-Policy refuses style attributes
      else if (k === 'style') Object.assign(e.style, v);
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function badge(text, cls) {
    return h('span', { class: 'badge ' + (cls || '') }, text);
  }

  function time(iso) {
    if (!iso) return '–';
    const d = new Date(iso);
    const today = new Date().toDateString() === d.toDateString();
    const t = d.toLocaleTimeString([], { hour12: false });
    return today ? t : d.toLocaleDateString() + ' ' + t;
  }

  function seconds(s) {
    if (s === null || s === undefined) return '–';
    if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' m ' + Math.floor(s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' m';
  }

  function outcomeText(o) {
    if (!o || !o.outcome) return '';
    return o.outcome + (o.outcome !== 'connected' && o.failedLeg ? ' (leg ' + o.failedLeg + ')' : '');
  }

  // ---- the API

  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || ('HTTP ' + status));
      this.status = status;
      this.problem = problem;
    }
  }

  async function api(method, path, body) {
    const headers = { Authorization: 'Bearer ' + state.token, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(path, {
      method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
    if (r.status === 401) {
      logout('The API key was refused.');
      throw new ApiError(401, json);
    }
    if (!r.ok) throw new ApiError(r.status, json);
    return json;
  }

  // ---- login

  function showLogin(message) {
    $('app').hidden = true;
    $('logout').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    $('login-token').value = '';
    $('login-token').focus();
  }

  async function login(ev) {
    ev.preventDefault();
    const token = $('login-token').value.trim();
    if (!token) return;
    $('login-submit').disabled = true;
    try {
      const r = await fetch('/v1/nodes', { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' });
      if (r.status === 401) {
        $('login-error').textContent = 'This API key is not valid.';
        return;
      }
      if (!r.ok) {
        $('login-error').textContent = 'Huibo answered ' + r.status + '; try again.';
        return;
      }
      sessionStorage.setItem(KEY, token);
      start(token);
    } catch (e) {
      $('login-error').textContent = 'Huibo cannot be reached: ' + e.message;
    } finally {
      $('login-submit').disabled = false;
    }
  }

  function logout(message) {
    sessionStorage.removeItem(KEY);
    stop();
    showLogin(message);
  }

  function stop() {
    state.token = null;
    state.timers.forEach(clearInterval);
    state.timers = [];
    if (state.stream) state.stream.abort();
    state.stream = null;
    setLive(false);
  }

  function start(token) {
    stop();
    state.token = token;
    $('login').hidden = true;
    $('app').hidden = false;
    $('logout').hidden = false;
    state.points = [];
    state.rows.clear();
    loadHistory().then(pollQueue);
    pollNodes();
    loadCallbacks(false);
    loadInProgress();
    connect();
    state.timers.push(setInterval(pollNodes, 2000));
    state.timers.push(setInterval(pollQueue, 3000));
    state.timers.push(setInterval(loadInProgress, 5000));
    state.timers.push(setInterval(() => loadCallbacks(false), 15000));
    state.timers.push(setInterval(tick, 1000));
    fromHash();
  }

  function fromHash() {
    const m = /^#callback=([0-9A-Za-z]+)$/.exec(location.hash);
    if (m && state.token && m[1] !== state.detailId) openDetail(m[1]);
  }

  function tick() {
    $('clock').textContent = new Date().toLocaleTimeString([], { hour12: false });
    document.querySelectorAll('[data-since]').forEach((e) => {
      e.textContent = seconds((Date.now() - Date.parse(e.dataset.since)) / 1000);
    });
  }

  // ---- nodes

  async function pollNodes() {
    try {
      state.nodes = await api('GET', '/v1/nodes');
      $('nodes-error').textContent = '';
      renderNodes();
    } catch (e) {
      if (e.status !== 401) $('nodes-error').textContent = 'Nodes: ' + e.message;
    }
  }

  function endedPerMinute(node) {
    const since = Date.now() - 60000;
    state.ended = state.ended.filter((x) => x.t >= since);
    return state.ended.filter((x) => x.node === node).length;
  }

  function renderNodes() {
    const body = $('nodes-table').tBodies[0];
    body.replaceChildren();
    let active = 0;
    for (const n of state.nodes) {
      active += n.active || 0;
      const load = n.active === null || n.active === undefined ? null : n.active / Math.max(1, n.maxCalls);
      const flags = [];
      if (n.draining) flags.push(badge('draining', 'flag-draining'));
      if (n.removing) flags.push(badge('removing', 'flag-removing'));
      const button = n.draining
        ? h('button', { class: 'small resume', type: 'button', dataset: { action: 'resume', node: n.id }, onclick: () => drain(n.id, false) }, 'Resume')
        : h('button', { class: 'small drain', type: 'button', dataset: { action: 'drain', node: n.id }, onclick: () => drain(n.id, true) }, 'Drain');
      body.append(h('tr', { dataset: { node: n.id } },
        h('td', { class: 'mono' }, n.id),
        h('td', { class: 'state' }, badge(n.state || 'unknown', 'st-' + (n.state || 'unknown')),
          n.lastError ? h('div', { class: 'muted' }, n.lastError) : null),
        h('td', { class: 'mono' }, n.owner ? n.owner + (n.local ? ' (here)' : '') : '–'),
        h('td', {}, h('div', { class: 'load' },
          h('div', { class: 'bar' + (load !== null && load >= 0.8 ? ' hot' : '') }, h('span', { style: { width: Math.round((load || 0) * 100) + '%' } })),
          h('span', { class: 'active' }, (n.active === null || n.active === undefined ? '–' : n.active) + ' / ' + n.maxCalls))),
        h('td', { class: 'rate' }, (n.originateRate === null || n.originateRate === undefined ? '–' : n.originateRate)
          + ' / ' + n.maxOriginatesPerSecond + ' per s'),
        h('td', {}, String(endedPerMinute(n.id))),
        h('td', { class: 'flags' }, flags),
        h('td', {}, button)));
    }
    if (!state.nodes.length) body.append(h('tr', {}, h('td', { colspan: 8, class: 'empty' }, 'no nodes configured')));
    $('t-inprogress').textContent = String(active);
  }

  async function drain(id, draining) {
    const b = document.querySelector('#nodes-table button[data-node="' + CSS.escape(id) + '"]');
    if (b) b.disabled = true;
    try {
      await api('POST', '/v1/nodes/' + encodeURIComponent(id) + (draining ? '/drain' : '/resume'));
      $('nodes-error').textContent = '';
    } catch (e) {
      if (e.status !== 401) $('nodes-error').textContent = (draining ? 'Drain' : 'Resume') + ' of ' + id + ': ' + e.message;
    }
    await pollNodes();
  }

  // ---- queue figures and charts

  async function loadHistory() {
    try {
      const r = await api('GET', '/v1/queue/history');
      state.points = r.samples.map((s) => ({
        t: Date.parse(s.at), waiting: s.waiting, dueNow: s.dueNow, leased: s.leased, rate: s.dialRatePerSecond,
      }));
    } catch (e) {
      state.points = [];
    }
  }

  async function pollQueue() {
    let q;
    try {
      q = await api('GET', '/v1/queue');
    } catch (e) {
      return;
    }
    $('t-waiting').textContent = String(q.waiting);
    $('t-due').textContent = String(q.dueNow);
    $('t-rate').textContent = q.dialRatePerSecond.toFixed(2) + '/s';
    $('t-lag').textContent = seconds(q.oldestDueLagSeconds);
    $('t-parked').textContent = String(q.parked);
    const t = Date.parse(q.at);
    state.points.push({ t, waiting: q.waiting, dueNow: q.dueNow, leased: q.leased, rate: q.dialRatePerSecond });
    state.points = state.points.filter((p) => p.t >= t - HOUR).sort((a, b) => a.t - b.t);
    drawCharts();
  }

  function drawCharts() {
    chart($('chart-depth'), [
      { label: 'waiting', color: '#2563eb', key: 'waiting', fill: true },
      { label: 'due now', color: '#d97706', key: 'dueNow' },
      { label: 'leased (dialing)', color: '#16a34a', key: 'leased' },
    ], (v) => String(Math.round(v)), 4);
    chart($('chart-rate'), [
      { label: 'attempts/s (last minute)', color: '#7c3aed', key: 'rate', fill: true },
    ], (v) => v.toFixed(v < 10 ? 1 : 0), 0.4);
  }

  // the top of the y axis: four grid steps of a round size
  function niceMax(v, least) {
    const raw = Math.max(v, least) / 4;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 3, 4, 5, 6, 8, 10]) if (raw <= m * p + 1e-9) return 4 * m * p;
    return 40 * p;
  }

  // A line chart of the last hour on a canvas: time on x (now at the right), one line per series; a gap
  // where samples are missing (the server was down or its history started late).
  function chart(canvas, series, fmt, least) {
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const ht = canvas.clientHeight;
    if (!w || !ht) return;
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(ht * ratio);
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, w, ht);
    const pad = { l: 44, r: 10, t: 22, b: 22 };
    const pw = w - pad.l - pad.r;
    const ph = ht - pad.t - pad.b;
    const now = state.points.length ? Math.max(Date.now(), state.points[state.points.length - 1].t) : Date.now();
    const range = state.rangeMs;
    const t0 = now - range;
    let max = 0;
    for (const p of state.points) if (p.t >= t0) for (const s of series) max = Math.max(max, p[s.key] || 0);
    max = niceMax(max * 1.05, least);
    const x = (t) => pad.l + ((t - t0) / range) * pw;
    const y = (v) => pad.t + ph - (v / max) * ph;

    g.font = '11px system-ui, sans-serif';
    g.strokeStyle = '#e8ebf1';
    g.fillStyle = '#6b7485';
    g.lineWidth = 1;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (let i = 0; i <= 4; i++) {
      const v = (max * i) / 4;
      const yy = Math.round(y(v)) + 0.5;
      g.beginPath(); g.moveTo(pad.l, yy); g.lineTo(pad.l + pw, yy); g.stroke();
      g.fillText(fmt(v), pad.l - 6, yy);
    }
    g.textAlign = 'center';
    g.textBaseline = 'top';
    const tick = (range <= 300000 ? 1 : range <= 900000 ? 3 : 10) * 60 * 1000;
    for (let t = Math.ceil(t0 / tick) * tick; t <= now; t += tick) {
      const xx = Math.round(x(t)) + 0.5;
      g.beginPath(); g.moveTo(xx, pad.t); g.lineTo(xx, pad.t + ph); g.stroke();
      g.fillText(new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false }), xx, pad.t + ph + 5);
    }

    // a jump in time of more than 3 samples' worth breaks the line
    const gap = 20000;
    for (const s of series) {
      const pts = state.points.filter((p) => p.t >= t0);
      g.strokeStyle = s.color;
      g.lineWidth = 2;
      g.lineJoin = 'round';
      let run = [];
      const flush = () => {
        if (!run.length) return;
        if (s.fill) {
          g.beginPath();
          g.moveTo(x(run[0].t), y(0));
          run.forEach((p) => g.lineTo(x(p.t), y(p[s.key] || 0)));
          g.lineTo(x(run[run.length - 1].t), y(0));
          g.closePath();
          g.globalAlpha = 0.12;
          g.fillStyle = s.color;
          g.fill();
          g.globalAlpha = 1;
        }
        g.beginPath();
        run.forEach((p, i) => (i ? g.lineTo(x(p.t), y(p[s.key] || 0)) : g.moveTo(x(p.t), y(p[s.key] || 0))));
        if (run.length === 1) g.arc(x(run[0].t), y(run[0][s.key] || 0), 1.5, 0, 2 * Math.PI);
        g.stroke();
        run = [];
      };
      for (const p of pts) {
        if (run.length && p.t - run[run.length - 1].t > gap) flush();
        run.push(p);
      }
      flush();
    }

    // legend with the latest value of each series
    const last = state.points[state.points.length - 1];
    g.textAlign = 'left';
    g.textBaseline = 'middle';
    let lx = pad.l;
    for (const s of series) {
      const text = s.label + (last ? ' ' + fmt(last[s.key] || 0) : '');
      g.fillStyle = s.color;
      g.fillRect(lx, 7, 10, 3);
      g.fillStyle = '#1d2433';
      g.fillText(text, lx + 14, 9);
      lx += 24 + g.measureText(text).width;
    }
  }

  // ---- callbacks

  function readFilter() {
    const f = new URLSearchParams();
    for (const [k, v] of new FormData($('filter-form'))) if (String(v).trim()) f.set(k, String(v).trim());
    return f;
  }

  async function loadCallbacks(more) {
    const q = new URLSearchParams(state.filter);
    q.set('limit', String(PAGE));
    if (more && state.cursor) q.set('cursor', state.cursor);
    let r;
    try {
      r = await api('GET', '/v1/callbacks?' + q.toString());
      $('callbacks-error').textContent = '';
    } catch (e) {
      if (e.status !== 401) $('callbacks-error').textContent = e.message;
      return;
    }
    if (!more) state.rows.clear();
    r.items.forEach((cb) => state.rows.set(cb.id, cb));
    state.cursor = r.nextCursor;
    $('callbacks-more').hidden = !r.nextCursor;
    renderCallbacks();
    r.items.forEach(needOutcome);
  }

  function renderCallbacks() {
    const body = $('callbacks-table').tBodies[0];
    body.replaceChildren();
    for (const cb of state.rows.values()) body.append(callbackRow(cb));
    if (!state.rows.size) body.append(h('tr', {}, h('td', { colspan: 9, class: 'empty' }, 'no callbacks match')));
  }

  function callbackRow(cb) {
    const o = state.outcomes.get(cb.id);
    return h('tr', { dataset: { id: cb.id }, class: cb.id === state.detailId ? 'selected' : null, onclick: () => openDetail(cb.id) },
      h('td', { class: 'id', title: cb.id }, cb.id),
      h('td', { class: 'state' }, badge(cb.state, 'state-' + cb.state)),
      h('td', { class: 'outcome' }, o && o.outcome ? badge(outcomeText(o), 'out-' + o.outcome) : ''),
      h('td', { class: 'mono' }, cb.number),
      h('td', { class: 'mono' }, cb.destination || '–'),
      h('td', { class: 'attempts' }, cb.attemptCount + ' / ' + cb.maxAttempts),
      h('td', {}, String(cb.priority)),
      h('td', {}, time(cb.dueAt)),
      h('td', {}, time(cb.updatedAt)));
  }

  function updateRow(id) {
    const cb = state.rows.get(id);
    const old = document.querySelector('#callbacks-table tr[data-id="' + CSS.escape(id) + '"]');
    if (cb && old) old.replaceWith(callbackRow(cb));
  }

  // The list gives no outcome: read the detail of a callback that made attempts, once, unless the stream
  // has told us already (an ended callback's outcome no longer changes).
  async function needOutcome(cb) {
    const seen = cb.state + '/' + cb.attemptCount;
    if (!cb.attemptCount || state.outcomes.has(cb.id) || state.fetching.has(cb.id) || state.checked.get(cb.id) === seen) return;
    state.fetching.add(cb.id);
    state.checked.set(cb.id, seen);
    try {
      const full = await api('GET', '/v1/callbacks/' + encodeURIComponent(cb.id));
      const ended = full.attempts.filter((a) => a.outcome);
      const a = ended[ended.length - 1];
      if (a && !state.outcomes.has(cb.id)) {
        state.outcomes.set(cb.id, { attempt: a.number, outcome: a.outcome, failedLeg: a.failedLeg, node: a.node });
        updateRow(cb.id);
      }
    } catch (e) {
      // the next list load tries again
      state.checked.delete(cb.id);
    } finally {
      state.fetching.delete(cb.id);
    }
  }

  function scheduleReload() {
    if (state.reloadTimer) return;
    state.reloadTimer = setTimeout(() => {
      state.reloadTimer = null;
      loadCallbacks(false);
    }, 1000);
  }

  // ---- calls in progress

  async function loadInProgress() {
    let r;
    try {
      r = await api('GET', '/v1/callbacks?state=dialing&limit=' + IN_PROGRESS);
    } catch (e) {
      return;
    }
    const body = $('inprogress-table').tBodies[0];
    body.replaceChildren();
    for (const cb of r.items) {
      body.append(h('tr', { dataset: { id: cb.id }, onclick: () => openDetail(cb.id) },
        h('td', { class: 'id' }, cb.id),
        h('td', { class: 'mono' }, cb.number),
        h('td', { class: 'mono' }, cb.destination || '–'),
        h('td', {}, cb.attemptCount + ' / ' + cb.maxAttempts),
        h('td', { dataset: { since: cb.updatedAt } }, seconds((Date.now() - Date.parse(cb.updatedAt)) / 1000))));
    }
    if (!r.items.length) body.append(h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'no call in progress')));
    $('inprogress-count').textContent = r.nextCursor ? '(the latest ' + IN_PROGRESS + ')' : '(' + r.items.length + ')';
  }

  function scheduleInProgress() {
    if (state.inProgressTimer) return;
    state.inProgressTimer = setTimeout(() => {
      state.inProgressTimer = null;
      loadInProgress();
    }, 700);
  }

  // ---- one callback

  async function openDetail(id) {
    state.detailId = id;
    // a link to this view: #callback=<id> (an id, never the key)
    if (location.hash !== '#callback=' + id) history.replaceState(null, '', '#callback=' + encodeURIComponent(id));
    document.querySelectorAll('#callbacks-table tr.selected').forEach((e) => e.classList.remove('selected'));
    const row = document.querySelector('#callbacks-table tr[data-id="' + CSS.escape(id) + '"]');
    if (row) row.classList.add('selected');
    $('detail').hidden = false;
    $('detail-id').textContent = id;
    await renderDetail(id);
  }

  function closeDetail() {
    state.detailId = null;
    history.replaceState(null, '', location.pathname + location.search);
    $('detail').hidden = true;
    document.querySelectorAll('#callbacks-table tr.selected').forEach((e) => e.classList.remove('selected'));
  }

  async function renderDetail(id) {
    let cb;
    let history = null;
    try {
      [cb, history] = await Promise.all([
        api('GET', '/v1/callbacks/' + encodeURIComponent(id)),
        api('GET', '/v1/callbacks/' + encodeURIComponent(id) + '/events').catch(() => null),
      ]);
    } catch (e) {
      if (state.detailId === id) $('detail-body').replaceChildren(h('p', { class: 'error' }, e.message));
      return;
    }
    if (state.detailId !== id) return;
    const meta = Object.entries(cb.metadata || {}).map(([k, v]) => k + '=' + v).join(', ');
    const fields = [
      ['State', badge(cb.state, 'state-' + cb.state)],
      ['Number', cb.number], ['Destination', cb.destination || '–'], ['Flow', cb.flow + (cb.confirm ? ', confirm' : '')],
      ['Caller ID', cb.callerId || '–'], ['Priority', cb.priority], ['Attempts', cb.attemptCount + ' of ' + cb.maxAttempts],
      ['Due', time(cb.dueAt)], ['Created', time(cb.createdAt)], ['Updated', time(cb.updatedAt)],
    ];
    if (meta) fields.push(['Metadata', meta]);
    const actions = h('div', { class: 'actions' });
    if (cb.state === 'queued') {
      actions.append(h('button', { class: 'small danger', type: 'button', dataset: { action: 'cancel' }, onclick: () => act(id, 'DELETE', '') }, 'Cancel'));
    }
    if (cb.state === 'failed' || cb.state === 'cancelled') {
      actions.append(h('button', { class: 'small', type: 'button', dataset: { action: 'requeue' }, onclick: () => act(id, 'POST', '/requeue') }, 'Requeue'));
    }
    const attempts = cb.attempts.map((a) => h('div', { class: 'attempt', dataset: { attempt: a.number } },
      h('div', { class: 'head' },
        h('strong', {}, 'Attempt ' + a.number),
        a.outcome ? badge(outcomeText(a), 'out-' + a.outcome) : badge('in progress', 'state-dialing'),
        h('span', { class: 'muted' }, 'on ' + (a.node || '–')),
        a.hangupCause !== null && a.hangupCause !== undefined ? h('span', { class: 'muted' }, 'cause ' + a.hangupCause) : null),
      h('div', { class: 'muted mono' }, a.channelId || ''),
      h('div', { class: 'muted' }, 'started ' + time(a.startedAt) + (a.answeredAt ? ', answered ' + time(a.answeredAt) : '')
        + (a.endedAt ? ', ended ' + time(a.endedAt) : '')),
      a.detail ? h('div', { class: 'muted' }, a.detail) : null,
      a.tries && a.tries.length ? h('table', { class: 'grid tries' },
        h('thead', {}, h('tr', {}, ['Leg', 'Try', 'Trunk', 'Dial string', 'Status', 'Cause'].map((t) => h('th', {}, t)))),
        h('tbody', {}, a.tries.map((t) => h('tr', {},
          h('td', {}, t.leg), h('td', {}, String(t.try)), h('td', { class: 'mono' }, t.trunk || '–'),
          h('td', { class: 'mono' }, t.dialString || '–'), h('td', {}, t.dialStatus || '–'),
          h('td', {}, t.cause === null || t.cause === undefined ? '–' : String(t.cause)))))) : h('div', { class: 'muted' }, 'no route tries reported')));
    const historyList = history ? h('table', { class: 'grid' },
      h('tbody', {}, history.events.map((e) => h('tr', {},
        h('td', {}, time(e.at)), h('td', {}, (e.from || '–') + ' → ' + e.to), h('td', { class: 'muted' }, e.detail || ''))))) : null;
    $('detail-body').replaceChildren(
      actions,
      h('dl', {}, fields.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      h('h3', {}, 'Attempts'),
      h('div', { class: 'attempts' }, attempts.length ? attempts : h('p', { class: 'muted' }, 'not dialed yet')),
      historyList ? h('h3', {}, 'History') : '', historyList || '');
  }

  async function act(id, method, suffix) {
    try {
      await api(method, '/v1/callbacks/' + encodeURIComponent(id) + suffix, method === 'POST' ? {} : undefined);
    } catch (e) {
      if (e.status !== 401) $('detail-body').prepend(h('p', { class: 'error' }, e.message));
      return;
    }
    scheduleReload();
    renderDetail(id);
  }

  function scheduleDetail(id) {
    if (state.detailId !== id || state.detailTimer) return;
    state.detailTimer = setTimeout(() => {
      state.detailTimer = null;
      if (state.detailId) renderDetail(state.detailId);
    }, 400);
  }

  // ---- request a callback

  async function request(ev) {
    ev.preventDefault();
    const form = $('request-form');
    form.querySelectorAll('.invalid').forEach((e) => e.classList.remove('invalid'));
    const v = new FormData(form);
    const body = {
      number: String(v.get('number')).trim(),
      destination: String(v.get('destination')).trim(),
      priority: Number(v.get('priority') || 0),
      maxAttempts: Number(v.get('maxAttempts') || 3),
      flow: v.get('flow'),
    };
    if (v.get('confirm')) body.confirm = true;
    if (v.get('at')) body.at = new Date(String(v.get('at'))).toISOString();
    $('request-submit').disabled = true;
    const out = $('request-result');
    try {
      const r = await api('POST', '/v1/callbacks', body);
      state.requested = r.id;
      state.outcomes.delete(r.id);
      out.replaceChildren(h('div', { class: 'ok', dataset: { id: r.id } },
        'Requested ', h('a', { href: '#', class: 'mono', onclick: (e) => { e.preventDefault(); openDetail(r.id); } }, r.id), ': ',
        h('span', { dataset: { field: 'state' } }, r.state), ' ', h('span', { dataset: { field: 'outcome' } }, '')));
      scheduleReload();
    } catch (e) {
      if (e.status === 401) return;
      const field = e.problem && e.problem.field;
      if (field && form.elements[field]) form.elements[field].classList.add('invalid');
      out.replaceChildren(h('div', { class: 'error' }, (field ? field + ': ' : '') + e.message));
    } finally {
      $('request-submit').disabled = false;
    }
  }

  function updateRequested(id) {
    if (id !== state.requested) return;
    const box = document.querySelector('#request-result [data-id="' + CSS.escape(id) + '"]');
    if (!box) return;
    const cb = state.rows.get(id);
    const o = state.outcomes.get(id);
    if (cb) box.querySelector('[data-field=state]').textContent = cb.state;
    box.querySelector('[data-field=outcome]').textContent = o ? '· ' + outcomeText(o) : '';
  }

  // ---- the live stream (Server-Sent Events over fetch)

  function setLive(on) {
    const e = $('live');
    e.className = 'live ' + (on ? 'on' : 'off');
    e.textContent = on ? 'live' : 'offline';
  }

  async function connect() {
    if (!state.token) return;
    const ctrl = new AbortController();
    state.stream = ctrl;
    const headers = { Authorization: 'Bearer ' + state.token, Accept: 'text/event-stream' };
    if (state.lastEventId) headers['Last-Event-ID'] = state.lastEventId;
    try {
      const r = await fetch('/v1/events', { headers, signal: ctrl.signal, cache: 'no-store' });
      if (r.status === 401) {
        logout('The API key was refused.');
        return;
      }
      if (!r.ok || !r.body) throw new Error('HTTP ' + r.status);
      setLive(true);
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value.replace(/\r\n?/g, '\n');
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          frame(buf.slice(0, end));
          buf = buf.slice(end + 2);
        }
      }
    } catch (e) {
      if (ctrl.signal.aborted) return;
    }
    if (state.stream !== ctrl) return;
    setLive(false);
    // resumes after the last event seen (Last-Event-ID), so nothing is missed meanwhile
    setTimeout(() => { if (state.stream === ctrl) connect(); }, state.retryMs);
  }

  function frame(block) {
    let type = 'message';
    let id = null;
    const data = [];
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) state.retryMs = Number(value);
    }
    if (id !== null) state.lastEventId = id;
    if (!data.length) return;
    let e;
    try { e = JSON.parse(data.join('\n')); } catch (err) { return; }
    if (type === 'dropped') {
      // too slow a reader: the server closes; we go on from the id it names
      if (e.lastEventId !== undefined && e.lastEventId !== null) state.lastEventId = String(e.lastEventId);
      return;
    }
    onEvent(type, e);
  }

  function onEvent(type, e) {
    const id = e.callbackId;
    logEvent(type, e);
    if (type === 'attempt') {
      state.outcomes.set(id, { attempt: e.attempt, outcome: e.outcome, failedLeg: e.failedLeg, hangupCause: e.hangupCause, node: e.node });
      if (e.node) state.ended.push({ t: Date.now(), node: e.node });
      updateRow(id);
    } else if (type === 'state') {
      const cb = state.rows.get(id);
      if (cb) {
        cb.state = e.to;
        cb.updatedAt = e.at;
        // a new attempt: the last outcome shown is the previous attempt's (the count comes with the next list)
        if (e.to === 'dialing') state.outcomes.delete(id);
        updateRow(id);
      }
      // a new callback, or one the page does not show: the list decides whether it belongs
      if (!cb || e.from === null) scheduleReload();
      if (e.to === 'dialing' || e.from === 'dialing') scheduleInProgress();
    }
    updateRequested(id);
    if (id === state.detailId) scheduleDetail(id);
  }

  function logEvent(type, e) {
    const list = $('event-log');
    const text = type === 'attempt'
      ? 'attempt ' + e.attempt + ' ' + outcomeText(e) + (e.node ? ' on ' + e.node : '')
      : (e.from || 'new') + ' → ' + e.to + (e.detail ? ' (' + e.detail + ')' : '');
    list.prepend(h('li', { dataset: { event: e.id }, onclick: () => openDetail(e.callbackId) },
      h('span', { class: 'time' }, time(e.at)),
      h('span', { class: 'id' }, e.callbackId),
      h('span', {}, text)));
    while (list.children.length > 60) list.lastChild.remove();
  }

  // ---- wiring

  document.addEventListener('DOMContentLoaded', () => {
    $('login-form').addEventListener('submit', login);
    $('logout').addEventListener('click', () => logout(''));
    $('request-form').addEventListener('submit', request);
    $('filter-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      state.filter = readFilter();
      loadCallbacks(false);
    });
    $('filter-form').addEventListener('reset', () => {
      state.filter = new URLSearchParams();
      setTimeout(() => loadCallbacks(false), 0);
    });
    $('callbacks-more').addEventListener('click', () => loadCallbacks(true));
    $('detail-close').addEventListener('click', closeDetail);
    window.addEventListener('resize', drawCharts);
    window.addEventListener('hashchange', fromHash);
    document.querySelectorAll('[data-range]').forEach((b) => b.addEventListener('click', () => {
      state.rangeMs = Number(b.dataset.range) * 1000;
      document.querySelectorAll('[data-range]').forEach((x) => x.classList.toggle('active', x === b));
      const label = state.rangeMs >= HOUR ? 'last hour' : 'last ' + state.rangeMs / 60000 + ' minutes';
      document.querySelectorAll('.range-label').forEach((x) => { x.textContent = label; });
      drawCharts();
    }));
    const saved = sessionStorage.getItem(KEY);
    if (saved) start(saved);
    else showLogin('');
  });
})();
