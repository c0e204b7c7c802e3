// The dashboard's shell: hash routes to pages, the theme toggle, the key button. Each page's render(main,
// params) returns a cleanup function (closing its event streams and charts) that runs when the route changes.
// Any error a page throws becomes a message in the page, never a blank screen.
import {h, message} from './dom.js';
import {setupThemeToggle} from './theme.js';
import {askForKey, getKey} from './key.js';
import * as runs from './pages/runs.js';
import * as newRun from './pages/new-run.js';
import * as run from './pages/run.js';
import * as rollouts from './pages/rollouts.js';
import * as compare from './pages/compare.js';
import * as evaluations from './pages/evaluations.js';
import * as playground from './pages/playground.js';

const ROUTES = [
  [/^\/?$/, runs, 'runs'],
  [/^\/runs$/, runs, 'runs'],
  [/^\/new$/, newRun, 'new'],
  [/^\/run\/([^/]+)$/, run, 'runs'],
  [/^\/run\/([^/]+)\/rollouts$/, rollouts, 'runs'],
  [/^\/compare$/, compare, 'compare'],
  [/^\/evaluations$/, evaluations, 'evaluations'],
  [/^\/playground$/, playground, 'playground'],
];

const main = document.getElementById('main');
let cleanup = null;

function parseHash() {
  const hash = location.hash.replace(/^#/, '');
  const [path, query = ''] = hash.split('?');
  return {path: path || '/', query: new URLSearchParams(query)};
}

async function route() {
  try { cleanup?.(); } catch { /* a page that failed to clean up must not block the next one */ }
  cleanup = null;
  const {path, query} = parseHash();
  main.replaceChildren();
  const found = ROUTES.map(([pattern, page, nav]) => ({match: path.match(pattern), page, nav})).find(r => r.match);
  document.querySelectorAll('[data-nav]').forEach(link => {
    if (found && link.dataset.nav === found.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  });
  if (!found) {
    main.append(h('h1', {}, 'Not found'), message(`There is no page ${path}.`));
    return;
  }
  try {
    cleanup = await found.page.render(main, {params: found.match.slice(1).map(decodeURIComponent), query});
  } catch (error) {
    console.error(error);
    main.append(message(error.message || String(error)));
  }
}

function updateKeyButton(button) {
  button.textContent = getKey() ? 'API key ✓' : 'API key';
  button.setAttribute('aria-label', getKey() ? 'API key (set)' : 'API key (not set)');
}

window.addEventListener('hashchange', route);
window.addEventListener('unhandledrejection', event => {
  // a stray failure (an SSE handler, a late fetch) still reaches the user
  main.prepend(message(event.reason?.message ?? String(event.reason)));
});

const keyButton = document.getElementById('key-button');
keyButton.addEventListener('click', () => askForKey());
document.addEventListener('zerotir:key', () => updateKeyButton(keyButton));
updateKeyButton(keyButton);
setupThemeToggle(document.getElementById('theme-toggle'));
route();
