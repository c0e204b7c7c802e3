// The runs table: live through /api/events (every run's status changes), filtered by status and name, with
// stop/resume/clone/delete behind confirmations and a selection to compare.
import {h, field, message, formatNumber, formatTime, formatDuration} from '../dom.js';
import {get} from '../api.js';
import {subscribe} from '../sse.js';
import {TABLE_METRICS} from '../metrics.js';
import {ACTIVE, stopRun, resumeRun, cloneRun, deleteRun} from '../run-actions.js';

const STATUSES = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'STOPPED'];

export async function render(main, {query}) {
  const statusFilter = h('select', {}, h('option', {value: ''}, 'Any status'), STATUSES.map(s => h('option', {value: s}, s.toLowerCase())));
  const nameFilter = h('input', {type: 'search', placeholder: 'part of a name'});
  statusFilter.value = query.get('status') ?? '';
  nameFilter.value = query.get('name') ?? '';
  const liveState = h('span', {class: 'live-state', role: 'status'}, 'connecting…');
  const messages = h('div', {class: 'messages', 'aria-live': 'polite'});
  const body = h('tbody');
  const compareButton = h('button', {type: 'button', disabled: true}, 'Compare selected');
  const selected = new Set();
  const rows = new Map();

  main.append(
    h('div', {class: 'page-title'}, h('h1', {}, 'Runs'), liveState),
    h('form', {class: 'filters', role: 'search', onsubmit: e => { e.preventDefault(); load(); }},
      field('Status', statusFilter), field('Name', nameFilter),
      h('button', {type: 'submit'}, 'Filter'), compareButton, h('a', {class: 'button primary', href: '#/new'}, 'New run')),
    messages,
    h('div', {class: 'table-wrap'}, h('table', {class: 'runs'},
      h('caption', {class: 'visually-hidden'}, 'Runs, newest first'),
      h('thead', {}, h('tr', {}, ['', 'Name', 'Status', 'Algorithm', 'Model', 'Step', 'Accuracy', 'Code use', 'Tokens/s',
        'Started', 'Duration', 'Actions'].map((text, i) => h('th', {scope: 'col'}, i === 0 ? h('span', {class: 'visually-hidden'}, 'Select') : text)))),
      body)));

  statusFilter.addEventListener('change', load);
  nameFilter.addEventListener('input', debounce(load, 300));
  compareButton.addEventListener('click', () => { location.hash = `#/compare?runs=${[...selected].join(',')}`; });

  function showError(error) {
    messages.replaceChildren(message(error.message));
  }

  async function act(action, run) {
    try {
      const result = await action(run);
      if (result) {
        messages.replaceChildren(message(action === deleteRun ? `Deleted ${run.name}.` : `${run.name}: done.`, 'success'));
        await load();
      }
    } catch (error) { showError(error); }
  }

  function cells(run, latest) {
    const config = run.config ?? {};
    const select = h('input', {type: 'checkbox', 'aria-label': `Select ${run.name} to compare`, checked: selected.has(run.id)});
    select.addEventListener('change', () => {
      if (select.checked) selected.add(run.id); else selected.delete(run.id);
      compareButton.disabled = selected.size < 2;
    });
    const button = (label, action) => h('button', {type: 'button', class: 'small', 'aria-label': `${label} ${run.name}`,
      onclick: () => act(action, run)}, label);
    const actions = [];
    if (ACTIVE.includes(run.status)) actions.push(button('Stop', stopRun));
    if (['STOPPED', 'FAILED'].includes(run.status)) actions.push(button('Resume', resumeRun));
    actions.push(button('Clone', cloneRun));
    if (run.status !== 'RUNNING') actions.push(button('Delete', deleteRun));
    return [
      h('td', {}, select),
      h('th', {scope: 'row'}, h('a', {href: `#/run/${run.id}`}, run.name)),
      h('td', {}, h('span', {class: `badge status-${run.status.toLowerCase()}`, title: run.errorMessage ?? ''}, run.status.toLowerCase())),
      h('td', {}, config.algorithm?.name ?? '–'),
      h('td', {class: 'path', title: config.model?.path ?? ''}, shortPath(config.model?.path)),
      h('td', {class: 'num'}, `${run.currentStep} / ${run.totalSteps}`),
      ...TABLE_METRICS.map(m => h('td', {class: 'num', dataset: {metric: m}}, formatNumber(latest?.[m]))),
      h('td', {}, formatTime(run.startedAt)),
      h('td', {}, formatDuration(run.startedAt, run.finishedAt)),
      h('td', {class: 'actions'}, actions),
    ];
  }

  // the latest step's metrics by run and step: a redrawn table shows them at once instead of blinking empty
  const latestCache = new Map();
  async function latestMetrics(run) {
    if (!run.currentStep) return null;
    const key = `${run.id}:${run.currentStep}`;
    if (!latestCache.has(key)) {
      const stepRows = await get(`/api/runs/${run.id}/metrics?from=${run.currentStep}&to=${run.currentStep}&names=${TABLE_METRICS.join(',')}`);
      latestCache.set(key, stepRows.at(-1)?.metrics ?? null);
    }
    return latestCache.get(key);
  }

  async function renderRow(run) {
    const previous = rows.get(run.id);
    if (previous && previous.run.status === run.status && previous.run.currentStep === run.currentStep && previous.latest) return;
    const row = previous?.element;
    const fresh = h('tr', {dataset: {runId: run.id, status: run.status}},
      cells(run, latestCache.get(`${run.id}:${run.currentStep}`) ?? previous?.latest));
    // a keyboard user keeps their place when a live update redraws the row they are in
    const focusedLabel = row?.contains(document.activeElement) ? document.activeElement.getAttribute('aria-label') : null;
    if (row) row.replaceWith(fresh); else body.append(fresh);
    if (focusedLabel) fresh.querySelector(`[aria-label="${CSS.escape(focusedLabel)}"]`)?.focus();
    rows.set(run.id, {run, element: fresh, latest: rows.get(run.id)?.latest});
    try {
      const latest = await latestMetrics(run);
      const entry = rows.get(run.id);
      if (entry && entry.element === fresh && latest) {
        entry.latest = latest;
        for (const m of TABLE_METRICS) fresh.querySelector(`[data-metric="${CSS.escape(m)}"]`).textContent = formatNumber(latest[m]);
      }
    } catch { /* the metrics columns stay empty; the row itself is right */ }
  }

  // A list fetched before a status event can arrive after it; the newer event wins, or a stopped run would be
  // drawn as still running (and without its Resume button) until the next event.
  const lastEvents = new Map();
  const newerEvent = (run, since) => {
    const event = lastEvents.get(run.id);
    return event && event.at > since
      ? {...run, status: event.data.status, currentStep: event.data.currentStep, errorMessage: event.data.errorMessage}
      : run;
  };

  let generation = 0;
  async function load() {
    const mine = ++generation;
    const started = performance.now();
    const params = new URLSearchParams({size: '100'});
    if (statusFilter.value) params.set('status', statusFilter.value);
    if (nameFilter.value.trim()) params.set('name', nameFilter.value.trim());
    try {
      const page = await get(`/api/runs?${params}`);
      if (mine !== generation) return;
      body.replaceChildren();
      rows.clear();
      if (!page.items.length) body.append(h('tr', {}, h('td', {colspan: 12, class: 'empty'}, 'No runs match. Start one from “New run”.')));
      await Promise.all(page.items.map(run => renderRow(newerEvent(run, started))));
    } catch (error) { showError(error); }
  }

  await load();
  const refresh = debounce(load, 500);
  const close = subscribe('/api/events', {
    status: data => {
      lastEvents.set(data.runId, {data, at: performance.now()});
      const entry = rows.get(data.runId);
      const matches = !statusFilter.value || statusFilter.value === data.status;
      if (entry && matches) {
        renderRow({...entry.run, status: data.status, currentStep: data.currentStep, errorMessage: data.errorMessage,
          startedAt: entry.run.startedAt ?? (data.status === 'RUNNING' ? new Date().toISOString() : null),
          finishedAt: ACTIVE.includes(data.status) ? null : (entry.run.finishedAt ?? new Date().toISOString())});
      } else {
        refresh();
      }
    },
    onState: text => { liveState.textContent = text; },
  });
  // durations of running runs move on even without events; /api/events carries status changes only, so a
  // running run's step and latest metrics are read again every few seconds
  let ticks = 0;
  const timer = setInterval(() => {
    ticks += 1;
    for (const {run, element} of rows.values()) {
      if (run.status !== 'RUNNING') continue;
      element.children[10].textContent = formatDuration(run.startedAt, null);
      if (ticks % 3 === 0) get(`/api/runs/${run.id}`).then(renderRow, () => {});
    }
  }, 1000);
  return () => { close(); clearInterval(timer); };
}

function shortPath(path) {
  if (!path) return '–';
  const parts = path.split('/').filter(Boolean);
  return parts.slice(-2).join('/');
}

function debounce(fn, millis) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), millis); };
}
