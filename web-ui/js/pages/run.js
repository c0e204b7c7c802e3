// One run: its state and actions, live charts of the headline metrics against step with their scaling-law fits,
// checkpoints and the log. History comes from /metrics in ranges; the live part from the run's SSE stream,
// resumed after the last step already drawn (Last-Event-ID), so every step is drawn once.
import {h, message, formatTime, formatDuration} from '../dom.js';
import {get} from '../api.js';
import {subscribe} from '../sse.js';
import {RUN_CHARTS, CHART_METRICS} from '../metrics.js';
import {MetricChart} from '../chart.js';
import {loadFits} from '../scaling.js';
import {ACTIVE, stopRun, resumeRun, cloneRun, deleteRun} from '../run-actions.js';

const RANGE = 5000;
const FIT_REFRESH_MS = 30_000;

export async function render(main, {params: [id]}) {
  let run = await get(`/api/runs/${id}`);
  const header = h('div', {class: 'run-header'});
  const messages = h('div', {class: 'messages', 'aria-live': 'polite'});
  const liveState = h('span', {class: 'live-state', role: 'status'}, 'loading…');
  const grid = h('div', {class: 'chart-grid'});
  const checkpoints = h('ul', {class: 'checkpoints'});
  const log = h('pre', {class: 'log', tabindex: 0, 'aria-label': 'Run log'});
  main.append(header, messages,
    h('div', {class: 'section-title'}, h('h2', {}, 'Training curves'), liveState),
    grid,
    h('h2', {}, 'Checkpoints'), checkpoints,
    h('details', {class: 'log-details', ontoggle: e => { if (e.target.open) loadLog(); }}, h('summary', {}, 'Log (last 200 lines)'), log));

  const charts = RUN_CHARTS.map(spec => new MetricChart(grid, spec));

  function act(action) {
    return async () => {
      try {
        const result = await action(run);
        if (action === deleteRun && result) { location.hash = '#/runs'; return; }
        if (action === cloneRun && result) { location.hash = `#/run/${result.id}`; return; }
        if (result) { run = result; renderHeader(); }
      } catch (error) { messages.replaceChildren(message(error.message)); }
    };
  }

  function renderHeader() {
    const config = run.config ?? {};
    const actions = [];
    if (ACTIVE.includes(run.status)) actions.push(h('button', {type: 'button', onclick: act(stopRun)}, 'Stop'));
    if (['STOPPED', 'FAILED'].includes(run.status)) actions.push(h('button', {type: 'button', onclick: act(resumeRun)}, 'Resume'));
    actions.push(h('button', {type: 'button', onclick: act(cloneRun)}, 'Clone'));
    if (run.status !== 'RUNNING') actions.push(h('button', {type: 'button', onclick: act(deleteRun)}, 'Delete'));
    header.replaceChildren(...[
      h('div', {class: 'page-title'}, h('h1', {}, run.name),
        h('span', {class: `badge status-${run.status.toLowerCase()}`, dataset: {status: run.status}}, run.status.toLowerCase())),
      run.errorMessage ? message(run.errorMessage) : null,
      h('dl', {class: 'facts'},
        fact('Step', h('span', {class: 'current-step'}, `${run.currentStep} / ${run.totalSteps}`)),
        fact('Algorithm', config.algorithm?.name ?? '–'),
        fact('Model', config.model?.path ?? '–'),
        fact('Template', config.template ?? '–'),
        fact('Tool', config.tool?.enabled === false ? 'off' : 'on'),
        fact('Started', formatTime(run.startedAt)),
        fact('Duration', formatDuration(run.startedAt, run.finishedAt))),
      h('div', {class: 'actions'}, actions,
        h('a', {class: 'button', href: `#/run/${run.id}/rollouts`}, 'Rollouts'),
        h('a', {class: 'button', href: `#/compare?runs=${run.id}`}, 'Compare'),
        h('a', {class: 'button', href: `#/playground?model=${encodeURIComponent(run.id)}`}, 'Playground')),
      h('details', {}, h('summary', {}, 'Configuration'), h('pre', {class: 'json-preview'}, JSON.stringify(config, null, 2)))].filter(Boolean));
  }

  async function loadCheckpoints() {
    try {
      const list = await get(`/api/runs/${id}/checkpoints`);
      checkpoints.replaceChildren(...(list.length ? list.map(c => h('li', {}, `step ${c.step} — ${formatTime(c.createdAt)} — `, h('code', {}, c.path)))
        : [h('li', {class: 'muted'}, 'None yet.')]));
    } catch (error) { checkpoints.replaceChildren(h('li', {}, message(error.message))); }
  }

  async function loadLog() {
    try { log.textContent = (await get(`/api/runs/${id}/log?lines=200`)) || '(empty)'; } catch (error) { log.textContent = error.message; }
  }

  async function refreshFits() {
    try {
      const fits = await loadFits(id);
      charts.forEach(chart => chart.setFits(fits));
    } catch (error) { messages.replaceChildren(message(`Scaling fits: ${error.message}`)); }
  }

  renderHeader();
  loadCheckpoints();

  // history in ranges, so a 10,000-step run arrives in a few requests
  let lastStep = 0;
  const names = CHART_METRICS.join(',');
  for (let from = 1; from <= Math.max(run.currentStep, 1); from += RANGE) {
    const rows = await get(`/api/runs/${id}/metrics?from=${from}&to=${from + RANGE - 1}&names=${names}`);
    charts.forEach(chart => chart.appendRows(rows));
    if (rows.length) lastStep = rows.at(-1).step;
  }
  await refreshFits();

  let closed = false;
  const close = subscribe(`/api/runs/${id}/events`, {
    step: data => {
      const row = {step: data.step, metrics: data.metrics};
      charts.forEach(chart => chart.appendRows([row]));
      run = {...run, currentStep: Math.max(run.currentStep, data.step)};
      header.querySelector('.current-step').textContent = `${run.currentStep} / ${run.totalSteps}`;
    },
    status: async data => {
      if (data.status === run.status) return;
      try { run = await get(`/api/runs/${id}`); } catch { run = {...run, status: data.status}; }
      if (closed) return;
      renderHeader();
      loadCheckpoints();
      if (!ACTIVE.includes(run.status)) refreshFits();
    },
    onState: text => { liveState.textContent = `live: ${text}`; },
  }, {lastEventId: lastStep});

  const fitTimer = setInterval(() => { if (run.status === 'RUNNING') refreshFits(); }, FIT_REFRESH_MS);
  return () => {
    closed = true;
    close();
    clearInterval(fitTimer);
    charts.forEach(chart => chart.destroy());
  };
}

function fact(term, value) {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}

