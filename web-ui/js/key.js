// The API key: asked for once (when the server first answers 401, or from the header's button) and kept in
// localStorage, so every later request and every page load has it.
import {h, field} from './dom.js';

const STORAGE = 'zerotir.apiKey';

export function getKey() {
  try { return localStorage.getItem(STORAGE) || ''; } catch { return ''; }
}

export function setKey(key) {
  if (key) localStorage.setItem(STORAGE, key); else localStorage.removeItem(STORAGE);
  document.dispatchEvent(new CustomEvent('zerotir:key'));
}

let pending = null;

/** Shows the key dialog; resolves true when a key was saved. Concurrent callers share one dialog. */
export function askForKey(reason) {
  if (pending) return pending;
  pending = new Promise(resolve => {
    const input = h('input', {type: 'password', autocomplete: 'off', value: getKey(), spellcheck: false});
    const dialog = h('dialog', {class: 'key-dialog', 'aria-labelledby': 'key-title'},
      h('form', {method: 'dialog'},
        h('h2', {id: 'key-title'}, 'API key'),
        reason ? h('p', {class: 'message error', role: 'alert'}, reason) : null,
        h('p', {}, 'Changing runs needs the server\'s API key (zerotir.api.keys, or the key logged at its first start). '
          + 'It is kept in this browser only.'),
        field('Key', input),
        h('div', {class: 'actions'},
          h('button', {type: 'submit', value: 'save', class: 'primary'}, 'Save key'),
          h('button', {type: 'submit', value: 'forget'}, 'Forget key'),
          h('button', {type: 'submit', value: 'cancel'}, 'Cancel'))));
    dialog.addEventListener('close', () => {
      const choice = dialog.returnValue;
      if (choice === 'save' && input.value.trim()) setKey(input.value.trim());
      if (choice === 'forget') setKey('');
      dialog.remove();
      pending = null;
      resolve(choice === 'save' && !!input.value.trim());
    });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
  return pending;
}
