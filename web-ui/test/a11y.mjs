// Accessibility checks the dashboard must pass on every page: every visible control has an accessible name,
// and every one is reached by the Tab key (none is mouse-only).

/** Names of visible controls that have no accessible name. */
export async function unlabelledControls(page) {
  return page.evaluate(() => {
    const visible = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length) && getComputedStyle(e).visibility !== 'hidden';
    const nameOf = e => {
      if (e.getAttribute('aria-label')?.trim()) return e.getAttribute('aria-label');
      const by = e.getAttribute('aria-labelledby');
      if (by) return by.split(/\s+/).map(id => document.getElementById(id)?.textContent ?? '').join(' ').trim();
      if (e.labels?.length) return [...e.labels].map(l => l.textContent).join(' ').trim();
      if (['BUTTON', 'A', 'SUMMARY'].includes(e.tagName) || e.getAttribute('role') === 'button') return e.textContent.trim();
      return e.getAttribute('title')?.trim() ?? '';
    };
    return [...document.querySelectorAll('button, input, select, textarea, a[href], summary, [role="button"]')]
      .filter(visible).filter(e => !nameOf(e)).map(e => e.outerHTML.slice(0, 120));
  });
}

/** Visible enabled controls that Tab never reaches (pressing Tab through the whole page). */
export async function unreachableByKeyboard(page) {
  const count = await page.evaluate(() => {
    const visible = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
    let index = 0;
    // uPlot's legend entries are clickable too (show/hide a series): they must be reachable as well
    for (const e of document.querySelectorAll('button, input, select, textarea, a[href], summary, [tabindex], .u-legend .u-series')) {
      if (!visible(e) || e.disabled || e.closest('[inert], details:not([open]) > :not(summary)')) continue;
      if (e.id === 'main') continue;
      e.dataset.a11yIndex = String(index++);
    }
    document.activeElement?.blur();
    // the page records what focus reaches, so Tab presses need no round trip each
    window.a11yReached = new Set();
    document.addEventListener('focusin', event => {
      if (event.target.dataset?.a11yIndex !== undefined) window.a11yReached.add(event.target.dataset.a11yIndex);
    });
    return index;
  });
  // radio groups and the like would take one stop; there are none, so every control is one Tab stop
  for (let i = 0; i < count + 10; i++) await page.keyboard.press('Tab');
  return page.evaluate(() => [...document.querySelectorAll('[data-a11y-index]')]
    .filter(e => !window.a11yReached.has(e.dataset.a11yIndex)).map(e => e.outerHTML.slice(0, 120)));
}
