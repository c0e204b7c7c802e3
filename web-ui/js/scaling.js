// Scaling-law fits of a metric against step, as GET /api/runs/{id}/scaling reports them (analysis package):
// LINEAR y = a + b·step, LOGARITHMIC y = a + b·ln(step), POWER_LAW y = a·step^b. A server without that endpoint
// (404) simply has no fits.
import {get, ApiError} from './api.js';

export function evaluateFit(fit, step) {
  switch (fit.form) {
    case 'LINEAR': return fit.a + fit.b * step;
    case 'LOGARITHMIC': return step > 0 ? fit.a + fit.b * Math.log(step) : null;
    case 'POWER_LAW': return step > 0 ? fit.a * Math.pow(step, fit.b) : null;
    default: return null;
  }
}

/** The fit to draw for a metric: the one the server calls best, else the highest R². */
export function bestFit(metricReport) {
  if (!metricReport?.fits?.length) return null;
  return metricReport.fits.find(fit => fit.form === metricReport.best)
    ?? [...metricReport.fits].sort((x, y) => (y.rSquared ?? -Infinity) - (x.rSquared ?? -Infinity))[0];
}

export function describeFit(fit) {
  const form = {LINEAR: 'linear', LOGARITHMIC: 'logarithmic', POWER_LAW: 'power law'}[fit.form] ?? fit.form;
  const r2 = Number.isFinite(fit.rSquared) ? fit.rSquared.toFixed(3) : '–';
  const formula = fit.formula ? `: ${fit.formula}` : '';
  return `${form} fit${formula}, R² = ${r2}`;
}

/** metric name -> best fit, or an empty map when the server has no scaling endpoint or no fits yet. */
export async function loadFits(runId) {
  try {
    const report = await get(`/api/runs/${runId}/scaling`);
    const fits = new Map();
    for (const metric of report?.metrics ?? []) {
      const fit = bestFit(metric);
      if (fit) fits.set(metric.metric, fit);
    }
    return fits;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405 || error.status === 400)) return new Map();
    throw error;
  }
}
