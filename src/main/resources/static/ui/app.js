// The numashift dashboard: jobs, a job's live progress and results, hosts. A client of the HTTP
// API (docs/api.md) with the token the user enters once per browser session (sessionStorage).
// Every value from the API is put into the page as text, never as markup.

const TOKEN = 'numashift.token';
const PAGE = 50;
const TERMINAL = new Set(['SUCCEEDED', 'PARTIALLY_FAILED', 'FAILED', 'CANCELLED']);
const NODE_COLOURS = ['#2b6cb0', '#38a169', '#d69e2e', '#805ad5', '#dd6b20', '#319795', '#e53e3e', '#718096',
  '#3182ce', '#48bb78', '#ecc94b', '#9f7aea', '#ed8936', '#4fd1c5', '#f56565', '#a0aec0'];

const main = document.getElementById('main');
let caller = null;
let leave = () => {};

// ---- the page's pieces ----

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const fmt = n => (n ?? 0).toLocaleString('en-US');
const state = s => h('span', {class: `state ${s}`, 'data-state': s}, s);
const when = t => t ? new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
const colour = node => NODE_COLOURS[node % NODE_COLOURS.length];

function bar(percent, done) {
  const p = Math.max(0, Math.min(100, percent ?? 0));
  return h('div', {class: done ? 'bar done' : 'bar'}, h('span', {style: `width:${p}%`}),
    h('em', {}, `${p.toFixed(1)} %`));
}

/** A placement map ({node: pages}) as a bar of one segment per node, as wide as its share. */
function placement(map, total) {
  const entries = Object.entries(map ?? {}).map(([n, p]) => [Number(n), p]).sort((a, b) => a[0] - b[0]);
  const sum = total || entries.reduce((s, [, p]) => s + p, 0) || 1;
  return h('div', {class: 'stack'}, entries.map(([node, pages]) =>
    h('span', {style: `width:${(100 * pages / sum).toFixed(3)}%;background:${colour(node)}`,
      title: `node ${node}: ${fmt(pages)} pages`, 'data-node': node, 'data-pages': pages})));
}

function legend(nodes) {
  return h('div', {class: 'legend'}, [...nodes].sort((a, b) => a - b).map(n =>
    h('span', {}, h('i', {style: `background:${colour(n)}`}), `node ${n}`)));
}

function pager(hasPrevious, hasNext, onPrevious, onNext, text) {
  return h('div', {class: 'pager'},
    h('button', {type: 'button', disabled: !hasPrevious, onclick: onPrevious, 'data-test': 'previous'}, '‹ Previous'),
    h('span', {class: 'muted'}, text),
    h('button', {type: 'button', disabled: !hasNext, onclick: onNext, 'data-test': 'next'}, 'Next ›'));
}

/** Replaces what an element holds; null, undefined and false hold nothing. */
function put(el, ...children) {
  el.replaceChildren(...children.flat().filter(c => c !== null && c !== undefined && c !== false));
}

function show(...children) {
  put(main, ...children);
}

function showError(message) {
  main.prepend(h('div', {class: 'error', role: 'alert'}, message));
}

// ---- the API ----

class Unauthorized extends Error {}

async function api(path, options = {}) {
  const token = sessionStorage.getItem(TOKEN);
  const response = await fetch(path, {
    ...options,
    headers: {Authorization: `Bearer ${token}`, Accept: 'application/json', ...(options.headers ?? {})},
  });
  if (response.status === 401) {
    sessionStorage.removeItem(TOKEN);
    throw new Unauthorized('the service does not know this token');
  }
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    throw new Error(body?.detail ?? `${response.status} ${response.statusText}`);
  }
  return body;
}

/** Follows a job's events (text/event-stream, read with fetch so that the token goes in a header). */
async function follow(id, onJob, signal) {
  const response = await fetch(`/api/v1/jobs/${encodeURIComponent(id)}/events`, {
    headers: {Authorization: `Bearer ${sessionStorage.getItem(TOKEN)}`, Accept: 'text/event-stream'}, signal,
  });
  if (!response.ok) throw new Error(`events: ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let data = [];
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, end).replace(/\r$/, '');
      buffer = buffer.slice(end + 1);
      if (line === '') {
        if (data.length) onJob(JSON.parse(data.join('\n')));
        data = [];
      } else if (line.startsWith('data:')) {
        data.push(line.slice(5).replace(/^ /, ''));
      }
    }
  }
}

// ---- sign in ----

function signIn(message) {
  caller = null;
  document.getElementById('who').textContent = '';
  document.getElementById('sign-out').hidden = true;
  const input = h('input', {type: 'password', id: 'token', autocomplete: 'off', placeholder: 'token'});
  const form = h('form', {class: 'card login', id: 'sign-in', onsubmit: async event => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN, input.value.trim());
    try {
      await whoAmI();
      route();
    } catch (e) {
      signIn(e.message);
    }
  }},
  h('h1', {}, 'numashift'),
  h('p', {class: 'muted'}, 'A viewer or operator token of this service. It is kept for this browser session only.'),
  input,
  message ? h('div', {class: 'error', role: 'alert'}, message) : null,
  h('button', {type: 'submit', class: 'primary'}, 'Sign in'));
  show(form);
  input.focus();
}

async function whoAmI() {
  caller = await api('/api/v1/caller');
  document.getElementById('who').textContent = `${caller.name} (${caller.operator ? 'operator' : 'viewer'})`;
  document.getElementById('sign-out').hidden = false;
}

document.getElementById('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN);
  leave();
  signIn();
});

// ---- jobs ----

async function jobsPage(params) {
  const filters = {state: params.get('state') ?? '', label: params.get('label') ?? '',
    host: params.get('host') ?? '', submittedBy: params.get('submittedBy') ?? ''};
  const cursors = (params.get('cursors') ?? '').split(',').filter(Boolean);
  const query = new URLSearchParams({limit: PAGE});
  for (const [k, v] of Object.entries(filters)) if (v) query.set(k, v);
  if (cursors.length) query.set('after', cursors[cursors.length - 1]);

  const field = (name, el) => h('label', {}, name, el);
  const stateSelect = h('select', {name: 'state'}, ['', 'QUEUED', 'RUNNING', 'CANCELLING', 'SUCCEEDED',
    'PARTIALLY_FAILED', 'FAILED', 'CANCELLED'].map(s => h('option', {value: s, selected: s === filters.state}, s || 'any')));
  const inputs = {
    label: h('input', {name: 'label', value: filters.label, placeholder: 'key:value'}),
    host: h('input', {name: 'host', value: filters.host, placeholder: 'n001'}),
    submittedBy: h('input', {name: 'submittedBy', value: filters.submittedBy, placeholder: 'token name'}),
  };
  const go = (more = {}) => {
    const next = new URLSearchParams();
    if (stateSelect.value) next.set('state', stateSelect.value);
    for (const [k, el] of Object.entries(inputs)) if (el.value.trim()) next.set(k, el.value.trim());
    for (const [k, v] of Object.entries(more)) if (v) next.set(k, v);
    location.hash = `#/jobs?${next}`;
  };
  const form = h('form', {class: 'filters', onsubmit: e => { e.preventDefault(); go(); }},
    field('state', stateSelect), field('label', inputs.label), field('host', inputs.host),
    field('submitted by', inputs.submittedBy), h('button', {type: 'submit'}, 'Filter'));

  const body = h('tbody');
  const table = h('table', {id: 'jobs'}, h('thead', {}, h('tr', {},
    ['job', 'name', 'state', 'progress', 'hosts', 'submitted by', 'created'].map(t => h('th', {}, t)))), body);
  const pagerSlot = h('div');
  show(h('h1', {}, 'Jobs'), form, table, pagerSlot);

  const load = async () => {
    const page = await api(`/api/v1/jobs?${query}`);
    put(body, ...page.items.map(job => h('tr', {class: 'link', 'data-job': job.id,
      onclick: () => { location.hash = `#/jobs/${job.id}`; }},
    h('td', {class: 'mono'}, job.id.slice(0, 8)),
    h('td', {}, job.name ?? ''),
    h('td', {}, state(job.state)),
    h('td', {}, bar(job.progress?.percent, TERMINAL.has(job.state))),
    h('td', {}, `${fmt(job.progress?.hostsDone)} / ${fmt(job.progress?.hostsTotal)}`),
    h('td', {}, job.submittedBy ?? ''),
    h('td', {class: 'muted'}, when(job.createdAt)))));
    if (!page.items.length) body.append(h('tr', {}, h('td', {colspan: 7, class: 'muted'}, 'No jobs.')));
    put(pagerSlot, pager(cursors.length > 0, Boolean(page.next),
      () => go({cursors: cursors.slice(0, -1).join(',')}),
      () => go({cursors: [...cursors, page.next].join(',')}),
      `page ${cursors.length + 1}`));
  };
  await load();
  const timer = setInterval(() => load().catch(() => {}), 5000);
  return () => clearInterval(timer);
}

async function jobPage(id) {
  const controller = new AbortController();
  let job = await api(`/api/v1/jobs/${encodeURIComponent(id)}`);
  const ui = {taskPage: 0, taskFilter: '', failurePage: 0, open: new Set()};
  const header = h('div', {class: 'card', id: 'job'});
  const failures = h('div', {id: 'failures'});
  const tasks = h('div', {id: 'tasks'});
  show(header, failures, tasks);

  const render = () => {
    const p = job.progress ?? {};
    const terminal = TERMINAL.has(job.state);
    const actions = [];
    if (caller?.operator && !terminal && job.state !== 'CANCELLING') {
      actions.push(h('button', {type: 'button', class: 'danger', id: 'cancel', onclick: async e => {
        e.target.disabled = true;
        try { await api(`/api/v1/jobs/${job.id}/cancel`, {method: 'POST'}); } catch (err) { showError(err.message); }
      }}, 'Cancel'));
    }
    if (caller?.operator && terminal && job.state !== 'SUCCEEDED') {
      actions.push(h('button', {type: 'button', class: 'primary', id: 'retry', onclick: async e => {
        e.target.disabled = true;
        try {
          const retry = await api(`/api/v1/jobs/${job.id}/retry`, {method: 'POST'});
          location.hash = `#/jobs/${retry.id}`;
        } catch (err) { showError(err.message); }
      }}, 'Retry what failed'));
    }
    put(header,
      h('h1', {}, job.name || `Job ${job.id}`, ' ', state(job.state), job.dryRun ? h('span', {class: 'chip'}, 'dry run') : null),
      h('div', {id: 'progress'}, bar(p.percent, terminal)),
      h('dl', {class: 'kv'},
        h('dt', {}, 'id'), h('dd', {class: 'mono'}, job.id),
        h('dt', {}, 'hosts'), h('dd', {id: 'hosts-done'}, `${fmt(p.hostsDone)} of ${fmt(p.hostsTotal)} done`),
        h('dt', {}, 'processes'), h('dd', {}, `${fmt(p.processesDone)} of ${fmt(p.processesTotal)} done`),
        h('dt', {}, 'pages'), h('dd', {id: 'pages'}, `${fmt(p.pagesMoved)} of ${fmt(p.pagesToMove)} moved, ` +
          `${fmt(p.pagesSkipped)} skipped, ${fmt(p.pagesFailed)} failed`),
        job.request?.evacuate
          ? [h('dt', {}, 'evacuates'), h('dd', {id: 'evacuates'}, `nodes ${job.request.evacuate.nodes.join(',')} → the nearest nodes with room`)]
          : [h('dt', {}, 'mapping'), h('dd', {}, `nodes ${(job.request?.oldNodes ?? []).join(',')} → ${(job.request?.newNodes ?? []).join(',')}`)],
        h('dt', {}, 'labels'), h('dd', {}, Object.entries(job.labels ?? {}).map(([k, v]) => h('span', {class: 'chip'}, `${k}: ${v}`))),
        h('dt', {}, 'submitted'), h('dd', {}, `${when(job.createdAt)} by ${job.submittedBy ?? ''}`)),
      actions.length ? h('div', {class: 'actions'}, actions) : null);

    const allFailures = job.failures ?? [];
    const fFirst = ui.failurePage * PAGE;
    put(failures, ...(allFailures.length ? [
      h('h2', {}, `Failures (${fmt(allFailures.length)})`),
      h('table', {}, h('thead', {}, h('tr', {}, ['host', 'pid', 'code', 'message'].map(t => h('th', {}, t)))),
        h('tbody', {}, allFailures.slice(fFirst, fFirst + PAGE).map(f => h('tr', {'data-failure': f.code},
          h('td', {}, f.host), h('td', {}, f.pid ?? ''), h('td', {class: 'mono'}, f.code), h('td', {}, f.message ?? ''))))),
      allFailures.length > PAGE ? pager(ui.failurePage > 0, fFirst + PAGE < allFailures.length,
        () => { ui.failurePage--; render(); }, () => { ui.failurePage++; render(); },
        `${fFirst + 1}–${Math.min(fFirst + PAGE, allFailures.length)} of ${fmt(allFailures.length)}`) : null,
    ] : []));

    const filter = ui.taskFilter.toLowerCase();
    const shown = (job.tasks ?? []).filter(t => !filter || t.host.toLowerCase().includes(filter) || t.state.toLowerCase() === filter);
    const first = Math.min(ui.taskPage * PAGE, Math.max(0, shown.length - 1));
    const filterBox = h('input', {id: 'task-filter', value: ui.taskFilter, placeholder: 'host or state',
      onchange: e => { ui.taskFilter = e.target.value.trim(); ui.taskPage = 0; render(); }});
    const rows = [];
    const evacuation = Boolean(job.request?.evacuate);
    for (const task of shown.slice(first, first + PAGE)) {
      const moved = (task.processes ?? []).reduce((s, pr) => s + (pr.pagesMoved ?? 0), 0);
      rows.push(h('tr', {class: 'link', 'data-host': task.host, onclick: () => {
        ui.open.has(task.host) ? ui.open.delete(task.host) : ui.open.add(task.host);
        render();
      }},
      h('td', {}, ui.open.has(task.host) ? '▾ ' : '▸ ', task.host), h('td', {}, state(task.state)),
      h('td', {}, task.attempts ?? 0), h('td', {}, (task.processes ?? []).length), h('td', {}, fmt(moved)),
      evacuation ? h('td', {class: 'evacuated'}, (task.evacuated ?? []).map(n =>
        `node ${n.node}: ${fmt(n.pagesBefore)} → ${fmt(n.pagesAfter)}` + (n.memory
          ? `, ${n.memory.inState} of ${n.memory.blocks} blocks ${n.memory.state.toLowerCase()}` +
            (n.memory.errno ? ` (${n.memory.errno})` : '')
          : '')).join('; ')) : null,
      h('td', {class: 'muted'}, task.error ? (task.error.code ?? task.error.message ?? JSON.stringify(task.error)) : '')));
      if (ui.open.has(task.host)) rows.push(h('tr', {}, h('td', {colspan: evacuation ? 7 : 6}, processes(task))));
    }
    put(tasks,
      h('h2', {}, `Hosts (${fmt((job.tasks ?? []).length)})`),
      h('div', {class: 'filters'}, h('label', {}, 'filter', filterBox)),
      h('table', {}, h('thead', {}, h('tr', {}, ['host', 'state', 'attempts', 'processes', 'pages moved',
        ...(evacuation ? ['pages on the nodes, before → after'] : []), 'error']
        .map(t => h('th', {}, t)))), h('tbody', {}, rows)),
      shown.length > PAGE ? pager(ui.taskPage > 0, first + PAGE < shown.length,
        () => { ui.taskPage--; render(); }, () => { ui.taskPage++; render(); },
        `${first + 1}–${Math.min(first + PAGE, shown.length)} of ${fmt(shown.length)}`) : null);
  };
  render();

  // Live over the job's events; should the stream break (a proxy that buffers it, a replica
  // going away), by reading the job every 2 s until it ends.
  let timer = null;
  if (!TERMINAL.has(job.state)) {
    follow(id, next => { job = next; render(); }, controller.signal).catch(() => {
      if (controller.signal.aborted) return;
      timer = setInterval(async () => {
        try {
          job = await api(`/api/v1/jobs/${encodeURIComponent(id)}`);
          render();
          if (TERMINAL.has(job.state)) clearInterval(timer);
        } catch (e) { /* the next tick tries again */ }
      }, 2000);
    });
  }
  return () => { controller.abort(); clearInterval(timer); };
}

/** A host's processes: counts, and the placement before and after as bars of one colour per node. */
function processes(task) {
  const list = task.processes ?? [];
  if (!list.length) return h('span', {class: 'muted'}, task.state === 'PENDING' ? 'not started' : 'no processes');
  const nodes = new Set();
  for (const p of list) {
    for (const n of Object.keys(p.placementBefore ?? {})) nodes.add(Number(n));
    for (const n of Object.keys(p.placementAfter ?? {})) nodes.add(Number(n));
  }
  return h('div', {}, legend(nodes), h('table', {class: 'processes'},
    h('thead', {}, h('tr', {}, ['pid', 'status', 'moved', 'skipped', 'failed', 'placement before', 'placement after']
      .map(t => h('th', {}, t)))),
    h('tbody', {}, list.map(p => {
      const before = Object.values(p.placementBefore ?? {}).reduce((s, n) => s + n, 0);
      const after = Object.values(p.placementAfter ?? {}).reduce((s, n) => s + n, 0);
      const scale = Math.max(before, after);
      const sum = m => Object.values(m ?? {}).reduce((s, n) => s + n, 0);
      return h('tr', {'data-pid': p.pid},
        h('td', {}, p.pid), h('td', {}, state(p.status), p.errno ? ` ${p.errno}` : ''),
        h('td', {}, fmt(p.pagesMoved)), h('td', {}, fmt(sum(p.pagesSkipped))),
        h('td', {}, fmt(sum(p.pagesFailed)), Object.keys(p.pagesFailed ?? {}).length
          ? h('span', {class: 'muted'}, ` ${Object.entries(p.pagesFailed).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`) : ''),
        h('td', {class: 'before'}, placement(p.placementBefore, scale)),
        h('td', {class: 'after'}, placement(p.placementAfter, scale)));
    }))));
}

// ---- hosts ----

async function hostsPage(params) {
  const cursors = (params.get('cursors') ?? '').split(',').filter(Boolean);
  const query = new URLSearchParams({limit: PAGE});
  if (cursors.length) query.set('after', cursors[cursors.length - 1]);
  const body = h('tbody');
  const pagerSlot = h('div');
  show(h('h1', {}, 'Hosts'), h('table', {id: 'hosts'}, h('thead', {}, h('tr', {},
    ['host', 'state', 'backend', 'free memory per node', 'running', 'last seen'].map(t => h('th', {}, t)))), body), pagerSlot);
  const go = list => { location.hash = `#/hosts${list.length ? `?cursors=${list.join(',')}` : ''}`; };
  const load = async () => {
    const page = await api(`/api/v1/hosts?${query}`);
    put(body, ...page.items.map(host => h('tr', {class: 'link', 'data-host': host.name,
      onclick: () => { location.hash = `#/hosts/${encodeURIComponent(host.name)}`; }},
    h('td', {}, host.name), h('td', {}, state(host.state)), h('td', {}, host.backend),
    h('td', {}, h('div', {class: 'legend'}, (host.nodes ?? []).map(n => h('span', {title: `node ${n.id}: ${fmt(n.freePages)} of ${fmt(n.capacityPages)} pages free`},
      h('i', {style: `background:${colour(n.id)}`}), `${n.id}: ${Math.round(100 * n.freePages / Math.max(1, n.capacityPages))} % free`)))),
    h('td', {}, host.runningTask ? h('a', {href: `#/jobs/${host.runningTask.jobId}`}, 'job ' + host.runningTask.jobId.slice(0, 8)) : ''),
    h('td', {class: 'muted'}, when(host.lastSeenAt)))));
    put(pagerSlot, pager(cursors.length > 0, Boolean(page.next),
      () => go(cursors.slice(0, -1)), () => go([...cursors, page.next]), `page ${cursors.length + 1}`));
  };
  await load();
  const timer = setInterval(() => load().catch(() => {}), 5000);
  return () => clearInterval(timer);
}

async function hostPage(name) {
  const host = await api(`/api/v1/hosts/${encodeURIComponent(name)}`);
  const distances = host.distances ?? [];
  const max = Math.max(1, ...distances.flat());
  const min = Math.min(...distances.flat(), max);
  show(
    h('div', {class: 'card', id: 'host'},
      h('h1', {}, host.name, ' ', state(host.state)),
      h('dl', {class: 'kv'},
        h('dt', {}, 'backend'), h('dd', {}, host.backend),
        h('dt', {}, 'agent'), h('dd', {}, host.agentVersion ?? ''),
        h('dt', {}, 'page size'), h('dd', {}, `${fmt(host.pageSize)} bytes`),
        h('dt', {}, 'last seen'), h('dd', {}, when(host.lastSeenAt)),
        h('dt', {}, 'running'), h('dd', {}, host.runningTask
          ? h('a', {href: `#/jobs/${host.runningTask.jobId}`}, `job ${host.runningTask.jobId}`) : 'nothing'))),
    h('h2', {}, 'Nodes'),
    h('table', {id: 'nodes'}, h('thead', {}, h('tr', {}, ['node', 'cpus', 'capacity (pages)', 'free (pages)', 'used',
      ...(caller?.operator ? [''] : [])]
      .map(t => h('th', {}, t)))),
    h('tbody', {}, (host.nodes ?? []).map(n => h('tr', {'data-node': n.id},
      h('td', {}, h('i', {style: `display:inline-block;width:.8rem;height:.8rem;background:${colour(n.id)}`}), ` ${n.id}`),
      h('td', {class: 'mono'}, (n.cpus ?? []).join(',')), h('td', {}, fmt(n.capacityPages)), h('td', {}, fmt(n.freePages)),
      h('td', {}, bar(100 * (n.capacityPages - n.freePages) / Math.max(1, n.capacityPages), false)),
      caller?.operator && n.capacityPages > 0 ? h('td', {class: 'actions'},
        evacuateButton(host.name, n.id, true, 'Plan evacuation'),
        evacuateButton(host.name, n.id, false, 'Evacuate')) : null)))),
    h('h2', {}, 'Distances'),
    h('table', {class: 'heat', id: 'distances'}, h('thead', {}, h('tr', {}, h('th', {}, ''),
      distances.map((_, j) => h('th', {}, j)))),
    h('tbody', {}, distances.map((row, i) => h('tr', {}, h('th', {}, i), row.map(d => {
      const t = max === min ? 0 : (d - min) / (max - min);
      return h('td', {style: `background:rgba(197,48,48,${(0.08 + 0.6 * t).toFixed(2)})`}, d);
    }))))));
  return () => {};
}

/** A button that submits an evacuation of one node of a host (a dry run: its plan) and opens its job. */
function evacuateButton(host, node, dryRun, label) {
  return h('button', {type: 'button', class: dryRun ? '' : 'danger', 'data-evacuate': dryRun ? 'plan' : 'run',
    onclick: async e => {
      if (!dryRun && !confirm(`Move every page off node ${node} of ${host}?`)) return;
      e.target.disabled = true;
      try {
        const job = await api('/api/v1/evacuations', {method: 'POST', headers: {'Content-Type': 'application/json'},
          body: JSON.stringify({name: `${dryRun ? 'plan: ' : ''}evacuate node ${node} of ${host}`,
            hosts: [host], nodes: [node], options: {dryRun}})});
        location.hash = `#/jobs/${job.id}`;
      } catch (err) { showError(err.message); e.target.disabled = false; }
    }}, label);
}

// ---- routing ----

async function route() {
  leave();
  leave = () => {};
  if (!sessionStorage.getItem(TOKEN)) return signIn();
  try {
    if (!caller) await whoAmI();
    const [path, search] = (location.hash.slice(1) || '/jobs').split('?');
    const params = new URLSearchParams(search ?? '');
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    document.getElementById('nav-jobs').classList.toggle('active', parts[0] !== 'hosts');
    document.getElementById('nav-hosts').classList.toggle('active', parts[0] === 'hosts');
    if (parts[0] === 'hosts') leave = parts[1] ? await hostPage(parts[1]) : await hostsPage(params);
    else leave = parts[1] ? await jobPage(parts[1]) : await jobsPage(params);
  } catch (e) {
    if (e instanceof Unauthorized) return signIn(e.message);
    show(h('div', {class: 'error', role: 'alert'}, e.message));
  }
}

window.addEventListener('hashchange', route);
route();
