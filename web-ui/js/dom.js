// Tiny DOM helpers: the pages build their markup with h() so that text is always set as text (no HTML
// injection from model output or run names).

/** h('button', {class: 'x', onclick: fn}, 'text', child...) */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name in element && typeof value !== 'string') element[name] = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

let uniqueCounter = 0;
/** An id for pairing labels with inputs. */
export function uid(prefix = 'id') {
  uniqueCounter += 1;
  return `${prefix}-${uniqueCounter}`;
}

/** A labelled control: <div class="field"><label for=...>text</label>control</div>. */
export function field(labelText, control, hint) {
  if (!control.id) control.id = uid('field');
  const hintElement = hint ? h('small', {class: 'hint', id: `${control.id}-hint`}, hint) : null;
  if (hintElement) control.setAttribute('aria-describedby', hintElement.id);
  return h('div', {class: 'field'}, h('label', {for: control.id}, labelText), control, hintElement);
}

export function formatNumber(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (typeof value !== 'number') return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en');
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)) return value.toExponential(2);
  return value.toLocaleString('en', {maximumFractionDigits: digits});
}

export function formatTime(iso) {
  if (!iso) return '–';
  const date = new Date(iso);
  return date.toLocaleString('en-GB', {dateStyle: 'short', timeStyle: 'medium'});
}

export function formatDuration(startIso, endIso) {
  if (!startIso) return '–';
  const end = endIso ? new Date(endIso) : new Date();
  let seconds = Math.max(0, Math.round((end - new Date(startIso)) / 1000));
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (hours) return `${hours} h ${minutes} min`;
  if (minutes) return `${minutes} min ${seconds} s`;
  return `${seconds} s`;
}

/** A message the user can read: errors from the API, successes of actions. role=alert for errors. */
export function message(text, kind = 'error') {
  return h('div', {class: `message ${kind}`, role: kind === 'error' ? 'alert' : 'status'}, text);
}
