export { escapeHtml } from '../../report/svg.js';

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

export function field<T extends HTMLInputElement | HTMLSelectElement>(form: HTMLFormElement, name: string): T {
  const found = form.elements.namedItem(name);
  if (!found) throw new Error(`the form has no ${name}`);
  return found as T;
}

export function setOptions(select: HTMLSelectElement, options: readonly { value: string; label: string }[], keep = true): void {
  const previous = select.value;
  select.replaceChildren(...options.map(({ value, label }) => new Option(label, value)));
  if (keep && options.some((option) => option.value === previous)) select.value = previous;
}

export function setStatus(element: HTMLElement, text: string, error = false): void {
  element.textContent = text;
  element.classList.toggle('error', error);
}

export function setProgress(pane: HTMLElement, fraction: number): void {
  const bar = pane.querySelector<HTMLElement>('.progress-bar');
  if (bar) bar.style.width = `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export function formatNumber(value: number): string {
  return Number.isInteger(value) ? integer.format(value) : decimal.format(value);
}
