// Compare: two or more runs overlaid on one metric against step (the ZeroTIR run against its no-tool ZeroRL
// baseline, typically). The choice lives in the URL (#/compare?runs=a,b&metric=accuracy), so it can be shared.
import uPlot from '../../vendor/uPlot.esm.js';
import {h, field, message} from '../dom.js';
import {get} from '../api.js';
import {PER_STEP} from '../metrics.js';
import {baseOptions, palette, keyboardLegend} from '../chart.js';

const RANGE = 5000;

export async function render(main, {query}) {
  main.append(h('h1', {}, 'Compare runs'));
  const chosen = new Set((query.get('runs') ?? '').split(',').filter(Boolean));
  const metric = h('select', {}, PER_STEP.map(name => h('option', {value: name}, name)));
  metric.value = query.get('metric') ?? 'accuracy';
  const runList = h('fieldset', {class: 'run-picker'}, h('legend', {}, 'Runs'));
  const messages = h('div', {class: 'messages', 'aria-live': 'polite'});
  const holder = h('div', {class: 'plot compare-plot'});
  const figure = h('figure', {class: 'chart', 'aria-label': 'Runs compared'}, holder, h('figcaption', {class: 'muted'}, ''));
  main.append(h('form', {class: 'compare-form', onsubmit: e => { e.preventDefault(); go(); }},
    runList, field('Metric', metric), h('button', {type: 'submit', class: 'primary'}, 'Compare')), messages, figure);

  const page = await get('/api/runs?size=100');
  for (const run of page.items) {
    const box = h('input', {type: 'checkbox', id: `cmp-${run.id}`, value: run.id, checked: chosen.has(run.id)});
    runList.append(h('div', {class: 'field checkbox'}, box, h('label', {for: box.id}, `${run.name} `,
      h('span', {class: 'muted'}, `(${run.status.toLowerCase()}, ${run.currentStep} steps, ${run.config?.tool?.enabled === false ? 'no tool' : 'tool'})`))));
  }
  if (!page.items.length) runList.append(h('p', {class: 'muted'}, 'No runs yet.'));
  metric.addEventListener('change', go);

  function go() {
    const ids = [...runList.querySelectorAll('input:checked')].map(box => box.value);
    location.hash = `#/compare?runs=${ids.join(',')}&metric=${encodeURIComponent(metric.value)}`;
  }

  const ids = [...chosen];
  if (ids.length < 2) {
    messages.replaceChildren(message('Choose two or more runs and a metric.', 'info'));
    return () => {};
  }
  const runs = page.items.filter(run => chosen.has(run.id));
  const tables = await Promise.all(runs.map(async run => {
    const steps = [], values = [];
    for (let from = 1; from <= Math.max(run.currentStep, 1); from += RANGE) {
      const rows = await get(`/api/runs/${run.id}/metrics?from=${from}&to=${from + RANGE - 1}&names=${encodeURIComponent(metric.value)}`);
      for (const row of rows) {
        if (row.metrics[metric.value] === undefined) continue;
        steps.push(row.step);
        values.push(row.metrics[metric.value]);
      }
    }
    return [steps, values];
  }));
  const colors = palette();
  const data = uPlot.join(tables);
  const series = [{label: 'step'}, ...runs.map((run, i) => ({label: run.name, stroke: colors[i % colors.length], width: 1.5, spanGaps: true, points: {show: false}}))];
  const width = Math.max(300, holder.clientWidth || 800);
  let plot = new uPlot({...baseOptions(width, 360, metric.value), series}, data, holder);
  keyboardLegend(plot);
  figure.dataset.series = String(runs.length);
  figure.dataset.points = String(data[0].length);
  figure.querySelector('figcaption').textContent = `${metric.value} against step: ${runs.map((run, i) => `${run.name} (${tables[i][0].length} steps)`).join(', ')}`;
  const observer = new ResizeObserver(() => { if (holder.clientWidth) plot.setSize({width: holder.clientWidth, height: 360}); });
  observer.observe(holder);
  const onTheme = () => { plot.destroy(); plot = new uPlot({...baseOptions(holder.clientWidth, 360, metric.value), series: series.map((s, i) => i ? {...s, stroke: palette()[(i - 1) % 8]} : s)}, data, holder); keyboardLegend(plot); };
  document.addEventListener('zerotir:theme', onTheme);
  return () => { observer.disconnect(); document.removeEventListener('zerotir:theme', onTheme); plot.destroy(); };
}
