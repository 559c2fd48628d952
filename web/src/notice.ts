// The one place refusals and failures are shown: a readable sentence, with the API's code kept in
// `data-code` for anyone who needs the exact reason. The notice floats just above the composer, in
// view whatever has scrolled, until the next action clears it or the user dismisses it.
import { byId, h } from './dom';
import { describeError } from './refusals';

function show(code: string, text: string): void {
  const notice = byId('notice');
  notice.dataset.code = code;
  // The × is drawn by CSS, so the notice's text is the sentence alone.
  const dismiss = h('button', { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss this notice' });
  dismiss.addEventListener('click', clearNotice);
  notice.replaceChildren(h('span', { class: 'notice-text' }, text), dismiss);
  notice.hidden = false;
}

export function showError(err: unknown): void {
  const { code, text } = describeError(err);
  show(code, text);
}

export function showInfo(text: string): void {
  show('info', text);
}

export function clearNotice(): void {
  const notice = byId('notice');
  notice.hidden = true;
  notice.replaceChildren();
  delete notice.dataset.code;
}
