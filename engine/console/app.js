// @ts-check
// The console's front end: no framework, no build step, no CDN. Every view is
// rendered from the server's JSON; filters live in the URL (#/alerts?…), so a
// link reproduces what it shows.

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const live = /** @type {HTMLElement} */ (document.getElementById('live'));
const FILTERS = ['severity', 'rule', 'control', 'host', 'workload', 'q', 'open'];

const token = (() => {
  const fromUrl = new URLSearchParams(location.search).get('token');
  if (fromUrl) sessionStorage.setItem('vigil-token', fromUrl);
  return sessionStorage.getItem('vigil-token') ?? '';
})();

/** @param {string} path @param {RequestInit} [init] */
async function api(path, init = {}) {
  const res = await fetch(path, { ...init, headers: { ...(init.headers ?? {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

/** @param {string} tag @param {Record<string, any>} [attrs] @param {...(Node|string|null|undefined|false)} children */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    // Through the CSSOM: the page's CSP refuses style attributes.
    else if (k === 'style') el.style.cssText = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

function route() {
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  return { view: (path || '/alerts').slice(1) || 'alerts', params: new URLSearchParams(query) };
}

/** @param {URLSearchParams} params */
function go(view, params) {
  const q = params.toString();
  location.hash = `#/${view}${q ? `?${q}` : ''}`;
}

let stream = /** @type {EventSource|undefined} */ (undefined);
let refreshTimer = 0;

async function render() {
  const { view, params } = route();
  for (const a of document.querySelectorAll('nav a')) {
    if (a.getAttribute('data-view') === (view === 'workload' ? 'workloads' : view)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  stream?.close();
  stream = undefined;
  try {
    if (view === 'fleet') await renderFleet();
    else if (view === 'workloads') await renderWorkloads();
    else if (view === 'workload') await renderWorkload(params);
    else if (view === 'exceptions') await renderExceptions();
    else await renderAlerts(params);
  } catch (error) {
    main.replaceChildren(h('p', { class: 'error', role: 'alert' }, String(/** @type {Error} */ (error).message)));
  }
}

/** @param {URLSearchParams} params */
async function renderAlerts(params) {
  const apiParams = new URLSearchParams();
  for (const k of FILTERS) for (const v of params.getAll(k)) apiParams.append(k, v);
  if (params.get('before')) apiParams.set('before', /** @type {string} */ (params.get('before')));
  const page = await api(`/api/alerts?${apiParams}`);
  const set = (/** @type {string} */ key, /** @type {string} */ value) => {
    const next = new URLSearchParams(params);
    next.delete('before');
    if (value) next.set(key, value);
    else next.delete(key);
    go('alerts', next);
  };
  const filterInput = (/** @type {string} */ key, /** @type {string} */ label, /** @type {string} */ placeholder) =>
    h('label', {}, label, h('input', { name: key, value: params.get(key) ?? '', placeholder, onchange: (/** @type {Event} */ e) => set(key, /** @type {HTMLInputElement} */ (e.target).value.trim()) }));
  const facet = (/** @type {string} */ title, /** @type {string} */ key, /** @type {{key: string, count: number}[]} */ rows) => {
    const max = Math.max(1, ...rows.map((r) => r.count));
    return h('section', { class: 'card', 'aria-label': title }, h('h3', {}, title),
      h('div', { class: 'bars' }, ...rows.slice(0, 6).map((r) => h('button', { class: 'bar', style: `--w:${(100 * r.count) / max}%`, title: `filter ${key} = ${r.key}`, onclick: () => set(key, r.key) }, h('span', {}, r.key), h('span', { class: 'muted' }, String(r.count))))));
  };
  const active = FILTERS.filter((k) => params.get(k));
  const timeline = page.timeline;
  const tmax = Math.max(1, ...timeline.map((/** @type {{count: number}} */ b) => b.count));
  const svg = `<svg class="timeline" viewBox="0 0 ${Math.max(1, timeline.length) * 10} 40" preserveAspectRatio="none" role="img" aria-label="alerts over time">${timeline
    .map((/** @type {{start: string, count: number}} */ b, i) => `<rect x="${i * 10 + 1}" y="${40 - (38 * b.count) / tmax}" width="8" height="${(38 * b.count) / tmax}"><title>${b.start}: ${b.count}</title></rect>`)
    .join('')}</svg>`;
  const timelineCard = h('section', { class: 'card', 'aria-label': 'timeline' }, h('h3', {}, `Timeline (${page.total} alerts)`));
  timelineCard.insertAdjacentHTML('beforeend', svg);
  const rows = page.items.map((/** @type {any} */ item) => alertRow(item));
  const table = h('table', { 'aria-label': 'alerts' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Severity'), h('th', {}, 'Rule'), h('th', {}, 'Subject'), h('th', { class: 'hide-narrow' }, 'Host'), h('th', { class: 'hide-narrow' }, 'Count'), h('th', { class: 'hide-narrow' }, 'First seen'), h('th', {}, 'Last seen'))),
    h('tbody', { id: 'alert-rows' }, ...rows));
  const detail = h('section', { class: 'card detail', id: 'detail', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Select an alert (Enter) to see its JSON and actions.'));
  main.replaceChildren(
    h('form', { class: 'filters', role: 'search', onsubmit: (/** @type {Event} */ e) => e.preventDefault() },
      filterInput('q', 'Search', 'text, rule, image…'),
      h('label', {}, 'Severity', h('select', { name: 'severity', onchange: (/** @type {Event} */ e) => set('severity', /** @type {HTMLSelectElement} */ (e.target).value) },
        ...['', 'CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'].map((s) => h('option', { value: s, selected: (params.get('severity') ?? '') === s }, s || 'any')))),
      filterInput('rule', 'Rule', 'VGL-CTR-001'),
      filterInput('control', 'Control', 'cis-docker:5.4, T1059'),
      filterInput('host', 'Host', 'node-a'),
      filterInput('workload', 'Workload', 'container/web'),
      h('label', {}, 'Open only', h('input', { type: 'checkbox', name: 'open', checked: params.get('open') === '1', onchange: (/** @type {Event} */ e) => set('open', /** @type {HTMLInputElement} */ (e.target).checked ? '1' : '') })),
      active.length ? h('button', { type: 'button', onclick: () => go('alerts', new URLSearchParams()) }, 'Clear filters') : null),
    h('div', { class: 'chips', 'aria-label': 'active filters' }, ...active.map((k) => h('span', { class: 'chip' }, `${k}: ${params.get(k)}`))),
    timelineCard,
    h('div', { class: 'grid facets' }, facet('Severity', 'severity', page.facets.severity), facet('Rules', 'rule', page.facets.rule), facet('Controls', 'control', page.facets.control), facet('Hosts', 'host', page.facets.host), facet('Workloads', 'workload', page.facets.workload)),
    h('div', { class: 'card', style: 'overflow-x:auto' }, table,
      page.next ? h('button', { onclick: () => { const next = new URLSearchParams(params); next.set('before', String(page.next)); go('alerts', next); } }, 'Older') : null),
    detail,
  );
  live.textContent = `${page.held} alerts in the stream`;
  const streamParams = new URLSearchParams(apiParams);
  if (token) streamParams.set('token', token);
  stream = new EventSource(`/api/stream?${streamParams}`);
  stream.addEventListener('alert', (event) => {
    const item = JSON.parse(/** @type {MessageEvent} */ (event).data);
    if (params.get('before')) return;
    document.getElementById('alert-rows')?.prepend(alertRow({ ...item, first_seen: item.alert.raised_at, last_seen: item.alert.raised_at, occurrences: item.alert.count }));
    live.textContent = `live: ${item.alert.rule_id} at ${item.alert.raised_at}`;
    clearTimeout(refreshTimer);
    refreshTimer = window.setTimeout(() => { if (!document.querySelector('#detail [data-alert]')) render(); }, 3000);
  });
}

/** @param {any} item */
function alertRow(item) {
  const a = item.alert;
  const open = () => showDetail(item);
  return h('tr', { tabindex: 0, class: item.acked ? 'acked' : '', 'data-alert-id': a.alert_id, onclick: open, onkeydown: (/** @type {KeyboardEvent} */ e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } } },
    h('td', {}, h('span', { class: `sev sev-${a.severity}` }, a.severity)),
    h('td', {}, a.rule_id),
    h('td', {}, `${a.subject.kind}/${a.subject.name || a.subject.id}`, h('div', { class: 'muted' }, a.message)),
    h('td', { class: 'hide-narrow' }, a.host),
    h('td', { class: 'hide-narrow' }, String(item.occurrences ?? a.count)),
    h('td', { class: 'hide-narrow' }, item.first_seen),
    h('td', {}, item.last_seen));
}

/** @param {any} item */
function showDetail(item) {
  const a = item.alert;
  const detail = /** @type {HTMLElement} */ (document.getElementById('detail'));
  const message = h('p', { role: 'status' });
  const act = async (/** @type {() => Promise<any>} */ work, /** @type {string} */ done) => {
    try { await work(); message.textContent = done; message.className = ''; } catch (error) { message.textContent = String(/** @type {Error} */ (error).message); message.className = 'error'; }
  };
  const factView = h('pre', { 'aria-label': 'the fact behind the alert' }, 'reading the fact archive…');
  const tomorrowPlus30 = new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10);
  const form = h('form', { class: 'filters', 'aria-label': 'create an exception', onsubmit: (/** @type {Event} */ e) => {
    e.preventDefault();
    const f = /** @type {HTMLFormElement} */ (e.target);
    const data = Object.fromEntries(new FormData(f));
    act(() => api('/api/exceptions', { method: 'POST', body: JSON.stringify({ alert_id: a.alert_id, ...data }) }), `exception created for ${a.rule_id}`);
  } },
    h('label', {}, 'Scope', h('select', { name: 'scope' },
      a.subject.kind === 'container' ? h('option', { value: 'container' }, `container ${a.subject.name}`) : null,
      a.subject.image ? h('option', { value: 'image' }, `image ${a.subject.image}`) : null,
      h('option', { value: 'host' }, `host ${a.host}`))),
    h('label', {}, 'Justification', h('input', { name: 'justification', required: true, placeholder: 'why this is accepted' })),
    h('label', {}, 'Expires', h('input', { name: 'expires', type: 'date', required: true, value: tomorrowPlus30 })),
    h('button', { class: 'primary', type: 'submit' }, 'Create exception'));
  detail.replaceChildren(
    h('h2', { 'data-alert': a.alert_id }, `${a.rule_id} — ${a.title}`),
    h('p', {}, a.message),
    a.recommended_action ? h('p', { class: 'muted' }, `Fix: ${a.recommended_action}`) : null,
    h('div', { class: 'chips' }, h('button', { onclick: () => act(() => api(`/api/alerts/${encodeURIComponent(a.alert_id)}/ack`, { method: 'POST' }), 'acknowledged') }, item.acked ? `acknowledged ${item.acked.at}` : 'Acknowledge'),
      h('button', { onclick: () => { const next = new URLSearchParams(); next.set('rule', a.rule_id); go('alerts', next); } }, 'Same rule'),
      h('button', { onclick: () => render() }, 'Close')),
    form,
    message,
    h('h3', {}, 'Alert'),
    h('pre', {}, JSON.stringify(a, null, 2)),
    h('h3', {}, `Fact ${a.fact_id}`),
    factView);
  api(`/api/alerts/${encodeURIComponent(a.alert_id)}/fact`).then(
    (fact) => factView.replaceChildren(JSON.stringify(fact, null, 2)),
    (error) => factView.replaceChildren(String(error.message)),
  );
  detail.querySelector('button')?.focus();
}

const bytes = (/** @type {number} */ n) => (n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`);

async function renderFleet() {
  const f = await api('/api/fleet');
  const counter = (/** @type {any} */ c, /** @type {string} */ key) => (c.counters ? String(c.counters[key]) : '—');
  const hosts = f.hosts.map((/** @type {any} */ host) => h('section', { class: 'card wide', 'aria-label': `host ${host.host}` },
    h('h2', {}, host.host, host.silent ? h('span', { class: 'chip warn' }, 'no heartbeat') : null),
    h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Collector'), h('th', {}, 'Sources'), h('th', {}, 'Last fact'), h('th', {}, 'Facts/s'), h('th', {}, 'Facts'), h('th', {}, 'Published'), h('th', {}, 'Dropped'), h('th', {}, 'Rate-limited'), h('th', {}, 'Source lost'), h('th', {}, 'Outbox'))),
      h('tbody', {}, ...host.collectors.map((/** @type {any} */ c) => h('tr', { 'data-collector': c.collector },
        h('td', {}, `${c.collector} ${c.version}`),
        h('td', {}, c.sources.join(', ') || '—'),
        h('td', {}, c.last_fact || '—'),
        h('td', {}, String(c.facts_per_s)),
        h('td', {}, String(c.facts)),
        h('td', { 'data-counter': 'published' }, counter(c, 'published')),
        h('td', { 'data-counter': 'dropped', class: c.counters?.dropped ? 'error' : '' }, counter(c, 'dropped')),
        h('td', { 'data-counter': 'rate_limited' }, counter(c, 'rate_limited')),
        h('td', { 'data-counter': 'source_lost', class: c.counters?.source_lost ? 'error' : '' }, counter(c, 'source_lost')),
        h('td', { 'data-counter': 'outbox' }, c.counters ? `${c.counters.outbox_batches} batches, ${bytes(c.counters.outbox_bytes)}` : '—'))))))));
  const engine = f.engine.error ? h('p', { class: 'muted' }, f.engine.error)
    : h('p', {}, `consumer ${f.engine.consumer}: ${f.engine.pending} facts waiting, ${f.engine.ack_pending} being judged, ${f.engine.waiting_pulls} pulls waiting, ${f.engine.redelivered} redelivered`);
  const replicas = f.replicas.length === 0 ? h('p', { class: 'muted' }, 'no engine heartbeat in the last 15 s')
    : h('div', { class: 'scroll' }, h('table', { 'aria-label': 'engine replicas' }, h('thead', {}, h('tr', {}, h('th', {}, 'Replica'), h('th', {}, 'Serving'), h('th', {}, 'Workers'), h('th', {}, 'Facts'), h('th', {}, 'Alerts'), h('th', {}, 'Dead letters'), h('th', {}, 'In flight'), h('th', {}, 'Restarts'), h('th', {}, 'Last seen'))),
      h('tbody', {}, ...f.replicas.map((/** @type {any} */ r) => h('tr', { 'data-replica': r.replica }, h('td', {}, r.replica), h('td', {}, [...r.bundles, ...r.shadows.map((/** @type {string} */ s) => `shadow ${s}`)].join(', ')), h('td', {}, String(r.workers)), h('td', {}, String(r.facts)), h('td', {}, String(r.alerts)), h('td', {}, String(r.dead_letters)), h('td', {}, String(r.in_flight)), h('td', {}, String(r.worker_restarts)), h('td', {}, r.last_seen))))));
  main.replaceChildren(
    ...hosts,
    h('section', { class: 'card' }, h('h2', {}, `Engines (${f.replicas.length} replica${f.replicas.length === 1 ? '' : 's'})`), replicas, engine),
    h('div', { class: 'grid' },
      h('section', { class: 'card' }, h('h2', {}, 'Dead letters'), f.dead_letters.length ? h('ul', {}, ...f.dead_letters.map((/** @type {any} */ d) => h('li', {}, `${d.reason}: ${d.count}`))) : h('p', { class: 'muted' }, 'none')),
      h('section', { class: 'card' }, h('h2', {}, 'Bundles'), f.bundles.length ? h('ul', {}, ...f.bundles.map((/** @type {any} */ b) => h('li', {}, `${b.name} revision ${b.revision} (${b.digest.slice(0, 12)}, ${b.verified ? 'signature verified' : 'unsigned or not verified'}, pushed ${b.pushed_at})`))) : h('p', { class: 'muted' }, 'the engines serve the bundle they started with; none pushed'))));
  live.textContent = `fleet at ${new Date().toLocaleTimeString()}`;
  refreshTimer = window.setTimeout(() => route().view === 'fleet' && render(), 5000);
}

/** @param {any} p */
function profileLine(p) {
  if (!p) return 'no learned profile';
  return `profile ${p.state}, version ${p.version}${p.state === 'learning' ? `, ${Math.max(0, (p.learn_window_s ?? 0) - (p.active_s ?? 0)).toFixed(0)} s of activity to go` : ''}`;
}

/** @param {Record<string, {passed: number, failed: number}>} controls */
function controlChips(controls) {
  return h('div', { class: 'chips' }, ...Object.entries(controls).map(([framework, t]) =>
    h('span', { class: `chip ${t.failed ? 'warn' : 'ok'}`, 'data-framework': framework }, `${framework}: ${t.passed} passed, ${t.failed} failed`)));
}

async function renderWorkloads() {
  const { workloads } = await api('/api/workloads');
  if (workloads.length === 0) {
    main.replaceChildren(h('p', { class: 'muted' }, 'No workloads yet: they appear with the first container fact, and their profiles once the engine learns (vigil up, or vigil engine --learn).'));
    return;
  }
  main.replaceChildren(h('div', { class: 'grid' }, ...workloads.map((/** @type {any} */ w) => h('section', { class: 'card', 'aria-label': `workload ${w.workload}` },
    h('h2', {}, h('a', { href: `#/workload?name=${encodeURIComponent(w.workload)}` }, w.workload)),
    h('p', {}, `${w.containers} container${w.containers === 1 ? '' : 's'} · ${profileLine(w.profile)}`),
    h('p', { class: 'muted' }, `findings: configuration ${w.findings.configuration}, image ${w.findings.image}, runtime ${w.findings.runtime}, drift ${w.findings.drift}`),
    controlChips(w.controls),
    w.profile ? h('p', { class: 'muted' }, Object.entries(w.profile.items).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(' · ')) : null))));
}

/** @param {URLSearchParams} params */
async function renderWorkload(params) {
  const name = params.get('name') ?? '';
  const w = await api(`/api/workloads/${encodeURIComponent(name)}`);
  const p = w.posture;
  const findings = (/** @type {string} */ title, /** @type {any[]} */ list) => h('section', { class: 'card', 'aria-label': title },
    h('h3', {}, `${title} (${list.length})`),
    list.length ? h('ul', {}, ...list.map((f) => h('li', {}, h('span', { class: `sev sev-${f.severity}` }, f.severity), ` ${f.rule_id} `, f.message, f.count !== undefined ? h('span', { class: 'muted' }, ` ×${f.count}, last ${f.last_seen}`) : null))) : h('p', { class: 'muted' }, 'none'));
  const controls = p ? Object.entries(p.controls).map(([framework, /** @type {any} */ t]) => h('section', { class: 'card', 'aria-label': `${framework} controls` },
    h('h3', {}, `${framework}: ${t.passed.length} passed, ${t.failed.length} failed`),
    t.failed.length ? h('p', {}, h('strong', {}, 'Failed: '), t.failed.join(', ')) : null,
    h('p', { class: 'muted' }, 'Passed: ', t.passed.join(', ') || '—'))) : [];
  const message = h('p', { role: 'status' });
  const driftRows = w.drift_alerts.map((/** @type {any} */ d) => {
    const items = h('div', { class: 'chips' });
    const show = async () => {
      try {
        const found = await api(`/api/alerts/${encodeURIComponent(d.alert_id)}/drift`);
        items.replaceChildren(...found.items.map((/** @type {any} */ it) => it.in_profile
          ? h('span', { class: 'chip ok' }, `${it.category}: ${it.key} (in the profile)`)
          : h('button', { 'data-approve': `${it.category}:${it.key}`, onclick: async () => {
            try {
              const done = await api(`/api/workloads/${encodeURIComponent(found.workload)}/approve`, { method: 'POST', body: JSON.stringify({ category: it.category, item: it.key }) });
              message.textContent = `approved ${it.category} ${it.key} into ${found.workload} (profile version ${done.version})`;
              message.className = '';
              show();
            } catch (error) { message.textContent = String(/** @type {Error} */ (error).message); message.className = 'error'; }
          } }, `Approve ${it.category}: ${it.key}`)));
      } catch (error) { items.replaceChildren(h('span', { class: 'error' }, String(/** @type {Error} */ (error).message))); }
    };
    return h('li', { 'data-drift': d.alert_id }, `${d.rule_id}: ${d.message} `, h('button', { onclick: show }, 'Items to approve'), items);
  });
  main.replaceChildren(
    h('section', { class: 'card' },
      h('h2', {}, `Workload ${w.workload}`),
      h('p', {}, profileLine(w.profile)),
      p ? h('p', { class: 'muted' }, `${p.containers.length} container(s): ${p.containers.map((/** @type {any} */ c) => `${c.name} on ${c.host}`).join(', ')} · image(s): ${p.images.join(', ') || '—'}`) : h('p', { class: 'muted' }, 'no container of this workload is running')),
    h('div', { class: 'grid' }, ...controls),
    h('div', { class: 'grid' }, findings('Configuration', p?.configuration ?? []), findings('Image', p?.image ?? []), findings('Runtime', p?.runtime ?? [])),
    h('section', { class: 'card', 'aria-label': 'drift' }, h('h3', {}, `Drift from the profile (${w.drift_alerts.length})`), message,
      driftRows.length ? h('ul', {}, ...driftRows) : h('p', { class: 'muted' }, 'none')));
}

async function renderExceptions() {
  const { exceptions } = await api('/api/exceptions');
  main.replaceChildren(h('section', { class: 'card' }, h('h2', {}, `Exceptions (${exceptions.length})`),
    h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Rules'), h('th', {}, 'Scope'), h('th', {}, 'Justification'), h('th', {}, 'Expires'))),
      h('tbody', {}, ...exceptions.map((/** @type {any} */ e) => h('tr', {}, h('td', {}, (e.rules ?? []).join(', ')), h('td', {}, JSON.stringify(e.scope ?? {})), h('td', {}, e.justification ?? ''), h('td', {}, e.expires ?? '')))))));
}

window.addEventListener('hashchange', () => { clearTimeout(refreshTimer); render(); });
render();
