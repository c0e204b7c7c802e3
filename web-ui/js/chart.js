// One uPlot chart of metrics against step, with each metric's scaling-law fit drawn over it as a dashed line
// and described (form, formula, R²) in the legend. Points are appended as SSE steps arrive; redraws are
// batched to one per animation frame, so 10,000 steps with live updates stay smooth (uPlot draws that many
// points in a few milliseconds).
import uPlot from '../vendor/uPlot.esm.js';
import {h} from './dom.js';
import {evaluateFit, describeFit} from './scaling.js';

const PALETTE_LIGHT = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#0a7b83', '#6e7781'];
const PALETTE_DARK = ['#58a6ff', '#ff7b72', '#3fb950', '#d29922', '#bc8cff', '#f778ba', '#39c5cf', '#8b949e'];

export function palette() {
  return document.documentElement.dataset.theme === 'dark' ? PALETTE_DARK : PALETTE_LIGHT;
}

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** Options common to every chart: theme colours on the axes, step on x. */
export function baseOptions(width, height, yLabel) {
  const text = cssVar('--text-muted');
  const grid = cssVar('--grid');
  const axis = {stroke: text, grid: {stroke: grid, width: 1}, ticks: {stroke: grid, width: 1}};
  return {
    width, height,
    cursor: {drag: {x: true, y: false}},
    // a flat series (0 all along) gets a ±1 band instead of uPlot's 0..100
    scales: {x: {time: false}, y: {range: (self, min, max) => min === max ? [min - 1, max + 1] : uPlot.rangeNum(min, max, 0.1, true)}},
    axes: [{...axis, label: 'step'}, {...axis, label: yLabel, size: 60}],
    legend: {live: true},
  };
}

/**
 * uPlot's legend entries show or hide their series on click; this makes them buttons that Tab reaches and
 * Enter/Space press, so the charts have no mouse-only control.
 */
export function keyboardLegend(plot) {
  plot.root.querySelectorAll('.u-legend .u-series').forEach((entry, index) => {
    if (index === 0) return; // the x series (step)
    const label = entry.querySelector('.u-label')?.textContent ?? `series ${index}`;
    entry.tabIndex = 0;
    entry.setAttribute('role', 'button');
    entry.setAttribute('aria-label', `Show or hide ${label}`);
    const sync = () => entry.setAttribute('aria-pressed', String(plot.series[index].show !== false));
    sync();
    entry.addEventListener('click', () => setTimeout(sync));
    entry.addEventListener('keydown', event => {
      if (event.key !== 'Enter' && event.key !== ' ') return;
      event.preventDefault();
      plot.setSeries(index, {show: plot.series[index].show === false});
      sync();
    });
  });
}

export class MetricChart {
  /** metrics: names drawn in this chart; fits: Map(metric -> fit). */
  constructor(parent, {title, metrics, height = 220}) {
    this.title = title;
    this.metrics = metrics;
    this.fits = new Map();
    this.steps = [];
    this.values = metrics.map(() => []);
    this.height = height;
    this.plotHolder = h('div', {class: 'plot'});
    this.caption = h('figcaption', {class: 'fit-caption'});
    this.figure = h('figure', {class: 'chart', dataset: {metrics: metrics.join(','), points: '0'}, 'aria-label': `${title} against step`},
      h('h3', {}, title), this.plotHolder, this.caption);
    parent.append(this.figure);
    this.build();
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.plotHolder);
    this.onTheme = () => this.build();
    document.addEventListener('zerotir:theme', this.onTheme);
  }

  build() {
    this.plot?.destroy();
    const colors = palette();
    const series = [{label: 'step'}];
    this.metrics.forEach((metric, i) => {
      series.push({label: metric, stroke: colors[i % colors.length], width: 1.5, spanGaps: true, points: {show: false}});
    });
    // a fit series only where there is a fit, so the legend lists what is drawn
    this.fitted = this.metrics.filter(metric => this.fits.has(metric));
    this.fitted.forEach(metric => {
      const i = this.metrics.indexOf(metric);
      series.push({
        label: `${metric} — ${describeFit(this.fits.get(metric))}`,
        stroke: colors[i % colors.length], width: 1.5, dash: [6, 4], spanGaps: true, points: {show: false},
      });
    });
    const width = Math.max(240, this.plotHolder.clientWidth || 480);
    this.plot = new uPlot({...baseOptions(width, this.height, ''), series}, this.data(), this.plotHolder);
    keyboardLegend(this.plot);
    this.updateCaption();
  }

  data() {
    const fitted = (this.fitted ?? []).map(metric => {
      const fit = this.fits.get(metric);
      return this.steps.map(step => evaluateFit(fit, step));
    });
    return [this.steps, ...this.values, ...fitted];
  }

  updateCaption() {
    const parts = this.metrics.filter(m => this.fits.has(m)).map(m => `${m}: ${describeFit(this.fits.get(m))}`);
    this.caption.textContent = parts.length ? parts.join('; ') : 'No scaling-law fit yet.';
    this.caption.dataset.fits = String(parts.length);
  }

  /** Replaces everything: rows are [{step, metrics: {name: value}}], ascending. */
  setRows(rows) {
    this.steps = [];
    this.values = this.metrics.map(() => []);
    this.appendRows(rows);
  }

  /** Adds steps after the last one (a step already drawn is replaced, as a resumed run recomputes it). */
  appendRows(rows) {
    for (const row of rows) {
      if (!this.metrics.some(m => row.metrics[m] !== undefined)) continue;
      let index = this.steps.length;
      if (index && row.step <= this.steps[index - 1]) {
        index = this.steps.indexOf(row.step);
        if (index < 0) continue;
      } else {
        this.steps.push(row.step);
      }
      this.metrics.forEach((metric, i) => { this.values[i][index] = row.metrics[metric] ?? null; });
    }
    this.scheduleRedraw();
  }

  setFits(fits) {
    this.fits = new Map(this.metrics.filter(m => fits.has(m)).map(m => [m, fits.get(m)]));
    this.build();
  }

  scheduleRedraw() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.plot.setData(this.data());
      this.figure.dataset.points = String(this.steps.length);
    });
  }

  resize() {
    const width = this.plotHolder.clientWidth;
    if (width && this.plot && Math.abs(width - this.plot.width) > 2) this.plot.setSize({width, height: this.height});
  }

  destroy() {
    cancelAnimationFrame(this.frame);
    this.resizeObserver.disconnect();
    document.removeEventListener('zerotir:theme', this.onTheme);
    this.plot?.destroy();
  }
}
