// Evaluations: per benchmark accuracy (avg@k, pass@k) and code use, per checkpoint. Two sources: a run's
// held-out evaluations during training (eval/<benchmark>/... metrics by step) and benchmark evaluations of any
// served model or checkpoint (/api/evaluations), which can be started here.
import {h, field, message, formatNumber, formatTime} from '../dom.js';
import {get, post} from '../api.js';

const BENCHMARKS = ['math500', 'aime24', 'aime25', 'amc23', 'gsm8k'];

export async function render(main, {query}) {
  main.append(h('h1', {}, 'Evaluations'));
  const runSelect = h('select', {}, h('option', {value: ''}, 'Choose a run'));
  const runTable = h('div', {class: 'table-wrap'});
  const runMessages = h('div', {class: 'messages', 'aria-live': 'polite'});
  const benchTable = h('div', {class: 'table-wrap'});
  const benchMessages = h('div', {class: 'messages', 'aria-live': 'polite'});
  const model = h('input', {type: 'text', list: 'served-models', placeholder: 'a served model or <run>/step-N', required: true});
  const models = h('datalist', {id: 'served-models'});
  const benchmark = h('select', {}, BENCHMARKS.map(b => h('option', {value: b}, b)));
  const limit = h('input', {type: 'number', min: 0, step: 1, value: 0});
  const samples = h('input', {type: 'number', min: 1, step: 1, placeholder: 'benchmark default'});
  const tool = h('input', {type: 'checkbox', id: 'eval-tool', checked: true});

  main.append(
    h('section', {'aria-labelledby': 'held-out-title'},
      h('h2', {id: 'held-out-title'}, 'Held-out evaluations during training'),
      h('form', {class: 'filters', onsubmit: e => { e.preventDefault(); loadRun(); }}, field('Run', runSelect)),
      runMessages, runTable),
    h('section', {'aria-labelledby': 'bench-title'},
      h('h2', {id: 'bench-title'}, 'Benchmark evaluations'),
      h('form', {class: 'filters', onsubmit: start},
        field('Model', model), models, field('Benchmark', benchmark), field('Problems (0 = all)', limit), field('Samples (k)', samples),
        h('div', {class: 'field checkbox'}, tool, h('label', {for: tool.id}, 'Python tool')),
        h('button', {type: 'submit', class: 'primary'}, 'Start evaluation')),
      benchMessages, benchTable));

  runSelect.addEventListener('change', loadRun);
  try {
    const page = await get('/api/runs?size=100');
    runSelect.append(...page.items.map(run => h('option', {value: run.id}, run.name)));
    if (query.get('run')) runSelect.value = query.get('run');
  } catch (error) { runMessages.replaceChildren(message(error.message)); }

  async function loadRun() {
    runMessages.replaceChildren();
    if (!runSelect.value) { runTable.replaceChildren(); return; }
    try {
      const steps = await get(`/api/runs/${runSelect.value}/evaluations`);
      runTable.replaceChildren(steps.length ? pivot(steps) : h('p', {class: 'muted'}, 'This run has no held-out evaluations yet.'));
    } catch (error) { runMessages.replaceChildren(message(error.message)); }
  }

  async function loadBenchmarks() {
    try {
      const list = await get('/api/evaluations');
      benchTable.replaceChildren(list.length ? benchmarkTable(list) : h('p', {class: 'muted'}, 'No benchmark evaluations yet.'));
    } catch (error) { benchMessages.replaceChildren(message(error.message)); }
  }

  async function start(event) {
    event.preventDefault();
    benchMessages.replaceChildren();
    const body = {model: model.value.trim(), benchmark: benchmark.value, tool: tool.checked};
    if (Number(limit.value) > 0) body.limit = Number(limit.value);
    if (samples.value) body.samples = Number(samples.value);
    try {
      await post('/api/evaluations', body);
      benchMessages.replaceChildren(message(`Evaluation of ${body.model} on ${body.benchmark} queued.`, 'success'));
      loadBenchmarks();
    } catch (error) { benchMessages.replaceChildren(message(error.field ? `${error.field}: ${error.message}` : error.message)); }
  }

  get('/v1/models').then(list => models.replaceChildren(...list.data.map(m => h('option', {value: m.id})))).catch(() => {});
  await Promise.all([loadRun(), loadBenchmarks()]);
  const timer = setInterval(loadBenchmarks, 10_000);
  return () => clearInterval(timer);
}

/** Rows: steps (checkpoints); columns: benchmark × figure, from names eval/<benchmark>/<figure>. */
function pivot(steps) {
  const columns = [...new Set(steps.flatMap(s => Object.keys(s.metrics)))].sort();
  return h('table', {class: 'evaluations'},
    h('caption', {class: 'visually-hidden'}, 'Held-out evaluations by step'),
    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Step'), columns.map(c => h('th', {scope: 'col'}, c.replace(/^eval\//, ''))))),
    h('tbody', {}, steps.map(s => h('tr', {}, h('th', {scope: 'row'}, String(s.step)),
      columns.map(c => h('td', {class: 'num'}, formatNumber(s.metrics[c])))))));
}

function benchmarkTable(list) {
  const figures = [...new Set(list.flatMap(e => Object.keys(e.summary ?? {})))];
  return h('table', {class: 'evaluations'},
    h('caption', {class: 'visually-hidden'}, 'Benchmark evaluations, newest first'),
    h('thead', {}, h('tr', {}, ['Model', 'Benchmark', 'Status', ...figures, 'Started'].map(c => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, list.map(e => h('tr', {},
      h('th', {scope: 'row'}, e.model), h('td', {}, e.benchmark),
      h('td', {}, h('span', {class: `badge status-${e.status.toLowerCase()}`, title: e.error ?? ''}, e.status.toLowerCase())),
      figures.map(f => h('td', {class: 'num'}, formatNumber(e.summary?.[f]))),
      h('td', {}, formatTime(e.createdAt))))));
}
