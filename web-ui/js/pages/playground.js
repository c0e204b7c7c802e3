// Playground: chat with a served model or any run's checkpoint through /v1/chat/completions, streamed. The
// server runs each ```python block the model closes and streams the execution (code, output, status) in the
// chunk's "executions"; they appear as they arrive, beside the text.
import {h, field, message} from '../dom.js';
import {get, request} from '../api.js';
import {readEventStream} from '../sse.js';
import {renderAnswer} from '../highlight.js';
import {renderExecution} from '../execution.js';

export async function render(main, {query}) {
  main.append(h('h1', {}, 'Playground'));
  const model = h('select', {});
  const temperature = h('input', {type: 'number', min: 0, max: 2, step: 0.1, value: 0});
  const maxTokens = h('input', {type: 'number', min: 1, step: 1, value: 512});
  const codeExecution = h('input', {type: 'checkbox', id: 'pg-code', checked: true});
  const input = h('textarea', {rows: 3, placeholder: 'What is 2^100 mod 7?', required: true});
  const send = h('button', {type: 'submit', class: 'primary'}, 'Send');
  const stop = h('button', {type: 'button', disabled: true}, 'Stop');
  const clear = h('button', {type: 'button'}, 'New conversation');
  const conversation = h('div', {class: 'conversation', 'aria-live': 'polite', 'aria-label': 'Conversation'});
  const messages = h('div', {class: 'messages', 'aria-live': 'polite'});
  const history = [];
  let controller = null;

  main.append(
    h('form', {class: 'filters', onsubmit: e => e.preventDefault()},
      field('Model', model), field('Temperature', temperature), field('Max tokens', maxTokens),
      h('div', {class: 'field checkbox'}, codeExecution, h('label', {for: codeExecution.id}, 'Run Python'))),
    messages, conversation,
    h('form', {class: 'composer', onsubmit: sendMessage},
      field('Message', input), h('div', {class: 'actions'}, send, stop, clear)));
  input.addEventListener('keydown', e => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) sendMessage(e); });
  stop.addEventListener('click', () => controller?.abort());
  clear.addEventListener('click', () => { history.length = 0; conversation.replaceChildren(); });

  try {
    const list = await get('/v1/models');
    model.replaceChildren(...list.data.map(m => h('option', {value: m.id}, m.id)));
    const wanted = query.get('model');
    if (wanted) {
      if (!list.data.some(m => m.id === wanted)) model.prepend(h('option', {value: wanted}, wanted));
      model.value = wanted;
    }
    if (!list.data.length && !wanted) messages.replaceChildren(message('No model is served yet: set zerotir.serve.models.<name>, or train a run until it writes a checkpoint.', 'info'));
  } catch (error) { messages.replaceChildren(message(error.message)); }

  async function sendMessage(event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || controller) return;
    messages.replaceChildren();
    history.push({role: 'user', content: text});
    conversation.append(h('div', {class: 'turn user'}, h('h2', {class: 'role'}, 'You'), h('div', {class: 'prose'}, text)));
    input.value = '';
    const answer = h('div', {class: 'answer-holder'});
    const executions = h('div', {class: 'executions'});
    const turn = h('div', {class: 'turn assistant', 'aria-busy': 'true'}, h('h2', {class: 'role'}, model.value), answer, executions);
    conversation.append(turn);
    let content = '';
    let frame = 0;
    const redraw = () => { frame = 0; answer.replaceChildren(renderAnswer(content)); };
    controller = new AbortController();
    send.disabled = true;
    stop.disabled = false;
    try {
      const response = await request('POST', '/v1/chat/completions', {
        model: model.value, messages: history, stream: true, temperature: Number(temperature.value),
        max_tokens: Number(maxTokens.value), code_execution: codeExecution.checked,
      }, {raw: true, signal: controller.signal});
      await readEventStream(response.body, ({data}) => {
        if (data === '[DONE]') return;
        const chunk = JSON.parse(data);
        if (chunk.error) throw new Error(chunk.error.message);
        const choice = chunk.choices?.[0];
        if (!choice) return;
        if (choice.delta?.content) {
          content += choice.delta.content;
          frame ||= requestAnimationFrame(redraw);
        }
        for (const execution of choice.executions ?? []) executions.append(renderExecution(execution, executions.children.length));
        if (choice.finish_reason) turn.dataset.finishReason = choice.finish_reason;
      });
      history.push({role: 'assistant', content});
    } catch (error) {
      if (error.name !== 'AbortError') messages.replaceChildren(message(error.message));
      history.pop();
    } finally {
      cancelAnimationFrame(frame);
      redraw();
      turn.removeAttribute('aria-busy');
      turn.dataset.done = 'true';
      controller = null;
      send.disabled = false;
      stop.disabled = true;
    }
  }
  return () => controller?.abort();
}
