// A form generated from the run configuration's JSON Schema (GET /api/runs/schema): one fieldset per nested
// object, one labelled control per field, prefilled with the schema's defaults. Each control knows its dotted
// path (algorithm.learningRate), which is how the API names a refused field, so its message lands beside it.
import {h, uid} from './dom.js';

/** Builds the controls under `container`; returns {controls: Map(path -> control), fill(doc), document(), showError(field, text), clearErrors()}. */
export function schemaForm(schema, container) {
  const controls = new Map();

  function build(objectSchema, parent, prefix) {
    const required = new Set(objectSchema.required ?? []);
    for (const [name, property] of Object.entries(objectSchema.properties ?? {})) {
      const path = prefix ? `${prefix}.${name}` : name;
      if (property.type === 'object') {
        const fieldset = h('fieldset', {class: 'group', dataset: {path}}, h('legend', {}, name));
        if (property.description) fieldset.append(h('p', {class: 'hint'}, property.description));
        build(property, fieldset, path);
        parent.append(fieldset);
        continue;
      }
      parent.append(control(path, name, property, required.has(name)));
    }
  }

  function control(path, name, property, required) {
    const id = uid('cfg');
    let input;
    if (property.enum) {
      input = h('select', {id}, property.enum.map(value => h('option', {value}, value)));
    } else if (property.type === 'boolean') {
      input = h('input', {id, type: 'checkbox'});
    } else if (property.type === 'integer' || property.type === 'number') {
      input = h('input', {id, type: 'text', inputmode: property.type === 'integer' ? 'numeric' : 'decimal', autocomplete: 'off'});
    } else {
      input = h('input', {id, type: 'text', autocomplete: 'off', spellcheck: false});
    }
    input.name = path;
    input.dataset.path = path;
    input.dataset.type = property.type;
    if (required) input.required = true;
    const errorId = `${id}-error`;
    const hintText = property.default !== undefined ? `default ${JSON.stringify(property.default)}` : (required ? 'required' : 'optional');
    const hint = h('small', {class: 'hint', id: `${id}-hint`}, hintText);
    const error = h('small', {class: 'field-error', id: errorId, hidden: true});
    input.setAttribute('aria-describedby', `${hint.id} ${errorId}`);
    controls.set(path, {input, property, error});
    setValue(path, property.default);
    const label = h('label', {for: id}, name, required ? h('span', {class: 'required', 'aria-hidden': 'true'}, ' *') : null);
    return property.type === 'boolean'
      ? h('div', {class: 'field checkbox'}, input, label, hint, error)
      : h('div', {class: 'field'}, label, input, hint, error);
  }

  function setValue(path, value) {
    const entry = controls.get(path);
    if (!entry) return false;
    const {input, property} = entry;
    if (property.type === 'boolean') input.checked = value === true;
    else input.value = value === undefined || value === null ? (property.enum ? property.enum[0] : '') : String(value);
    return true;
  }

  function read(path) {
    const {input, property} = controls.get(path);
    if (property.type === 'boolean') return input.checked;
    const text = input.value.trim();
    if (text === '') return undefined;
    if (property.type === 'integer' || property.type === 'number') {
      // a value that is not a number goes to the server as typed, so its 400 names the field
      const number = Number(text);
      return Number.isFinite(number) ? number : text;
    }
    return text;
  }

  // the run's own top-level settings (name, template, steps, seed...) come first, in one group, before the sections
  const topLevel = {...schema, properties: Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([, p]) => p.type !== 'object'))};
  const sections = {...schema, properties: Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([, p]) => p.type === 'object'))};
  const runGroup = h('fieldset', {class: 'group', dataset: {path: ''}}, h('legend', {}, 'run'));
  build(topLevel, runGroup, '');
  container.append(runGroup);
  build(sections, container, '');

  return {
    controls,
    /** Resets to defaults, then sets every field the document has (a preset, a clone's config). */
    fill(document) {
      for (const [path, {property}] of controls) setValue(path, property.default);
      const walk = (object, prefix) => {
        for (const [name, value] of Object.entries(object ?? {})) {
          const path = prefix ? `${prefix}.${name}` : name;
          if (value && typeof value === 'object' && !Array.isArray(value)) walk(value, path);
          else setValue(path, value);
        }
      };
      walk(document, '');
    },
    /** The document to send: only fields that differ from their defaults, so server-side defaults stay in charge. */
    document() {
      const document = {};
      for (const [path, {property}] of controls) {
        const value = read(path);
        if (value === undefined) continue;
        if (property.default !== undefined && value === property.default) continue;
        if (property.default === undefined && property.type === 'boolean' && value === false) continue;
        const parts = path.split('.');
        let node = document;
        for (const part of parts.slice(0, -1)) node = node[part] ??= {};
        node[parts.at(-1)] = value;
      }
      return document;
    },
    /** Marks the control of `field` (or the nearest enclosing group); returns the element marked, or null. */
    showError(field, text) {
      let path = field;
      while (path) {
        const entry = controls.get(path);
        if (entry) {
          entry.input.setAttribute('aria-invalid', 'true');
          entry.error.textContent = text;
          entry.error.hidden = false;
          return entry.input;
        }
        path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
      }
      return null;
    },
    clearErrors() {
      for (const {input, error} of controls.values()) {
        input.removeAttribute('aria-invalid');
        error.hidden = true;
        error.textContent = '';
      }
    },
  };
}
