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
    // a toggle button keeps one label; aria-pressed says whether the dark theme is on
    button.setAttribute('aria-pressed', String(dark));
    button.textContent = 'Dark theme';
    button.title = dark ? 'Dark theme is on; press for the light theme' : 'Light theme is on; press for the dark theme';
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
