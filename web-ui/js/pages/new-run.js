// New run: a form generated from /api/runs/schema with its defaults, three presets, and the API's 400 answer
// shown beside the field it names.
import {h, field, message} from '../dom.js';
import {get, post, ApiError} from '../api.js';
import {schemaForm} from '../schema-form.js';
import {PRESETS} from '../presets.js';

export async function render(main, {query}) {
  main.append(h('h1', {}, 'New run'));
  const schema = await get('/api/runs/schema');
  const messages = h('div', {class: 'messages', 'aria-live': 'polite'});
  const fields = h('div', {class: 'schema-fields'});
  const form = h('form', {class: 'new-run', novalidate: true, 'aria-describedby': 'new-run-intro'});
  const presetSelect = h('select', {}, h('option', {value: ''}, 'Defaults only'), PRESETS.map(p => h('option', {value: p.id}, p.label)));
  const preview = h('pre', {class: 'json-preview', 'aria-live': 'off'});
  const submit = h('button', {type: 'submit', class: 'primary'}, 'Start run');

  main.append(
    h('p', {id: 'new-run-intro'}, schema.description ?? '', ' Fields left at their default are not sent.'),
    h('div', {class: 'presets'},
      field('Preset', presetSelect),
      h('button', {type: 'button', onclick: () => applyPreset(presetSelect.value)}, 'Apply preset')),
    form);
  form.append(messages, fields,
    h('details', {}, h('summary', {}, 'Document to be sent'), preview),
    h('div', {class: 'actions'}, submit));

  const generated = schemaForm(schema, fields);
  const updatePreview = () => { preview.textContent = JSON.stringify(generated.document(), null, 2); };
  form.addEventListener('input', updatePreview);
  form.addEventListener('change', updatePreview);

  function applyPreset(id) {
    const preset = PRESETS.find(p => p.id === id);
    generated.clearErrors();
    generated.fill(preset ? preset.document : {});
    updatePreview();
    messages.replaceChildren(message(preset ? `Preset “${preset.label}” applied; check the model path.` : 'Defaults restored.', 'success'));
  }

  const initial = query.get('preset');
  if (initial) { presetSelect.value = initial; applyPreset(initial); } else updatePreview();

  form.addEventListener('submit', async event => {
    event.preventDefault();
    generated.clearErrors();
    messages.replaceChildren();
    submit.disabled = true;
    try {
      const run = await post('/api/runs', generated.document());
      location.hash = `#/run/${run.id}`;
    } catch (error) {
      const marked = error instanceof ApiError && error.field ? generated.showError(error.field, error.message) : null;
      messages.replaceChildren(message(marked ? `The server refused the run: ${error.message}` : error.message));
      (marked ?? messages).focus?.();
    } finally {
      submit.disabled = false;
    }
  });
}
