// The one place refusals and failures are shown: a readable sentence, with the API's code kept in
// `data-code` for anyone who needs the exact reason.
import { byId } from './dom';
import { describeError } from './refusals';

export function showError(err: unknown): void {
  const { code, text } = describeError(err);
  const notice = byId('notice');
  notice.dataset.code = code;
  notice.textContent = text;
  notice.hidden = false;
}

export function showInfo(text: string): void {
  const notice = byId('notice');
  notice.dataset.code = 'info';
  notice.textContent = text;
  notice.hidden = false;
}

export function clearNotice(): void {
  const notice = byId('notice');
  notice.hidden = true;
  notice.textContent = '';
  delete notice.dataset.code;
}
