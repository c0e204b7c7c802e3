// One code execution as the sandbox reported it: the code (highlighted), its output, and its status marked
// when it is not OK (an error, a time limit, the sandbox's own failure).
import {h, formatNumber} from './dom.js';
import {highlightPython} from './highlight.js';

const LABELS = {ok: 'ran', error: 'error', timeout: 'timed out', infrastructure: 'sandbox failure'};

export function renderExecution(execution, index) {
  const status = String(execution.status ?? 'ok').toLowerCase();
  const millis = execution.durationMillis ?? execution.duration_ms;
  return h('section', {class: `execution status-${status}`, 'aria-label': `Execution ${index + 1}: ${LABELS[status] ?? status}`},
    h('header', {},
      h('span', {class: 'execution-title'}, `Execution ${index + 1}`),
      h('span', {class: `badge status-${status}`}, LABELS[status] ?? status),
      millis !== undefined ? h('span', {class: 'muted'}, `${formatNumber(millis)} ms`) : null),
    h('pre', {class: 'code-block'}, highlightPython(execution.code ?? '')),
    h('pre', {class: 'output-block'}, execution.output === '' || execution.output == null ? '(no output)' : execution.output));
}
