/** Sign-in for staff; goes on to the page asked for (or the tasklist). */
import { call, signIn } from '../lib/api';
import { el, shell, showError } from '../lib/shell';
import { t } from '../lib/i18n';
import { sameOriginPath } from '../lib/redirect';

async function main(): Promise<void> {
  // Already signed in: straight on.
  const target = sameOriginPath(new URLSearchParams(location.search).get('next'), location.origin, '/tasks.html');
  const session = await call<{ signedIn: boolean }>('GET', '/session');
  if (session.signedIn) {
    location.href = target;
    return;
  }
  const page = shell(null);
  const username = el('input', {
    name: 'username',
    autocomplete: 'username',
    required: '',
    'aria-label': t('username'),
    placeholder: t('username'),
  });
  const password = el('input', {
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: '',
    'aria-label': t('password'),
    placeholder: t('password'),
  });
  const form = el(
    'form',
    { class: 'login card' },
    el('h1', {}, t('signIn')),
    username,
    password,
    el('button', { type: 'submit', class: 'primary' }, t('signIn')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    signIn(username.value.trim(), password.value).then(
      () => (location.href = target),
      (error: unknown) => showError(form, error),
    );
  });
  page.append(form);
}

void main();
