// Confirmation before destructive actions, as a modal <dialog> (keyboard and screen-reader friendly,
// unlike window.confirm it can say what exactly will happen).
import {h} from './dom.js';

/** Resolves true when the user confirms. `extra` is optional content (fields) shown in the dialog. */
export function confirmDialog(title, text, confirmLabel, extra) {
  return new Promise(resolve => {
    const dialog = h('dialog', {class: 'confirm-dialog', 'aria-labelledby': 'confirm-title'},
      h('form', {method: 'dialog'},
        h('h2', {id: 'confirm-title'}, title),
        h('p', {}, text),
        extra ?? null,
        h('div', {class: 'actions'},
          h('button', {type: 'submit', value: 'yes', class: 'primary'}, confirmLabel),
          h('button', {type: 'submit', value: 'no', autofocus: true}, 'Cancel'))));
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'yes');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
