// Light and dark themes: the system's preference (prefers-color-scheme) unless the user picked one with the
// toggle, which is remembered. The choice is a data-theme attribute the CSS reads.
const STORAGE = 'zerotir.theme';

export function currentTheme() {
  const stored = localStorage.getItem(STORAGE);
  if (stored === 'light' || stored === 'dark') return stored;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme() {
  document.documentElement.dataset.theme = currentTheme();
  document.dispatchEvent(new CustomEvent('zerotir:theme'));
}

export function setupThemeToggle(button) {
  const label = () => {
    const dark = currentTheme() === 'dark';
    button.setAttribute('aria-pressed', String(dark));
    button.textContent = dark ? 'Dark theme' : 'Light theme';
  };
  button.addEventListener('click', () => {
    localStorage.setItem(STORAGE, currentTheme() === 'dark' ? 'light' : 'dark');
    applyTheme();
    label();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => { applyTheme(); label(); });
  applyTheme();
  label();
}
