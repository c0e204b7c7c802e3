// The rollout browser: a step's sampled responses with the problem, the model's text (code highlighted,
// output blocks boxed), each execution with its status marked, the extracted answer, the reference and the
// verdict; filtered by correct / incorrect / used code.
import {h, field, message, formatNumber} from '../dom.js';
import {get} from '../api.js';
import {renderAnswer} from '../highlight.js';
import {renderExecution} from '../execution.js';

export async function render(main, {params: [id], query}) {
  const run = await get(`/api/runs/${id}`);
  const stepInput = h('input', {type: 'number', min: 1, step: 1, inputmode: 'numeric', value: query.get('step') ?? ''});
  const verdict = h('select', {}, h('option', {value: 'all'}, 'All'), h('option', {value: 'correct'}, 'Correct'), h('option', {value: 'incorrect'}, 'Incorrect'));
  const usedCode = h('input', {type: 'checkbox', id: 'filter-used-code'});
  const summary = h('p', {class: 'muted', role: 'status'});
  const list = h('div', {class: 'rollouts'});
  const messages = h('div', {class: 'messages', 'aria-live': 'polite'});
  let rollouts = [];
  let step = null;

  const previous = h('button', {type: 'button', onclick: () => load(Math.max(1, (step ?? 2) - 1))}, '← Previous step');
  const next = h('button', {type: 'button', onclick: () => load((step ?? 0) + 1)}, 'Next step →');
  main.append(
    h('nav', {class: 'breadcrumb', 'aria-label': 'Breadcrumb'}, h('a', {href: `#/run/${id}`}, run.name), ' / rollouts'),
    h('h1', {}, `Rollouts of ${run.name}`),
    h('form', {class: 'filters', onsubmit: e => { e.preventDefault(); load(stepInput.value ? Number(stepInput.value) : null); }},
      field('Step', stepInput, 'empty: the latest step with rollouts'),
      h('button', {type: 'submit'}, 'Show step'), previous, next,
      field('Verdict', verdict),
      h('div', {class: 'field checkbox'}, usedCode, h('label', {for: usedCode.id}, 'Used code only'))),
    messages, summary, list);
  verdict.addEventListener('change', draw);
  usedCode.addEventListener('change', draw);

  async function load(wanted) {
    messages.replaceChildren();
    try {
      rollouts = await get(`/api/runs/${id}/rollouts${wanted ? `?step=${wanted}` : ''}`);
      step = rollouts[0]?.step ?? wanted;
      stepInput.value = step ?? '';
      history.replaceState(null, '', `#/run/${id}/rollouts${step ? `?step=${step}` : ''}`);
      draw();
    } catch (error) { messages.replaceChildren(message(error.message)); }
  }

  function draw() {
    const shown = rollouts.filter(r => (verdict.value === 'all' || (verdict.value === 'correct') === r.correct)
      && (!usedCode.checked || (r.executions?.length ?? 0) > 0 || r.calls > 0));
    summary.textContent = step
      ? `Step ${step}: ${shown.length} of ${rollouts.length} responses shown (${rollouts.filter(r => r.correct).length} correct, ${rollouts.filter(r => r.calls > 0).length} used code).`
      : 'No rollouts stored yet.';
    list.replaceChildren(...shown.map(renderRollout));
  }

  await load(query.get('step') ? Number(query.get('step')) : null);
}

function renderRollout(rollout) {
  const executions = rollout.executions ?? [];
  const flags = [
    rollout.truncated ? h('span', {class: 'badge status-timeout'}, 'truncated') : null,
    rollout.fakeOutput ? h('span', {class: 'badge status-error'}, 'fake output') : null,
    executions.length ? h('span', {class: 'badge'}, `${executions.length} execution${executions.length > 1 ? 's' : ''}`) : null,
  ];
  return h('article', {class: `rollout ${rollout.correct ? 'correct' : 'incorrect'}`, dataset: {sample: rollout.sample},
    'aria-label': `Sample ${rollout.sample}: ${rollout.correct ? 'correct' : 'incorrect'}`},
    h('header', {},
      h('h2', {}, `Sample ${rollout.sample}`),
      h('span', {class: `badge verdict ${rollout.correct ? 'status-completed' : 'status-failed'}`}, rollout.correct ? 'correct' : 'incorrect'),
      h('span', {class: 'muted'}, `reward ${formatNumber(rollout.reward)}`), flags),
    h('section', {class: 'problem'}, h('h3', {}, 'Problem'), h('div', {class: 'prose'}, rollout.problem)),
    h('section', {}, h('h3', {}, 'Response'), renderAnswer(rollout.response, executions)),
    executions.length ? h('section', {class: 'executions'}, h('h3', {}, 'Executions'), executions.map(renderExecution)) : null,
    h('dl', {class: 'facts'},
      h('div', {}, h('dt', {}, 'Extracted answer'), h('dd', {class: 'extracted'}, rollout.answer ?? '(none)')),
      h('div', {}, h('dt', {}, 'Reference'), h('dd', {class: 'reference'}, rollout.reference)),
      h('div', {}, h('dt', {}, 'Verdict'), h('dd', {}, rollout.correct ? 'correct' : 'incorrect'))));
}
