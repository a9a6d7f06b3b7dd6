import { escapeHtml } from '@spotlight/core';
import type { LinkedSchedule } from './unsubscribe.service';

/**
 * The small pages a recipient sees: no script, no style, no outside resource,
 * so that a strict CSP (`default-src 'self'`) leaves them whole.
 */
function page(title: string, body: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${escapeHtml(title)}</title>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    body,
    '</body></html>',
  ].join('\n');
}

const p = (text: string) => `<p>${escapeHtml(text)}</p>`;

/** GET: says what stops, and asks; only the button's POST changes anything. */
export function confirmPage(linked: LinkedSchedule): string {
  const { schedule, customer } = linked;
  if (!schedule.enabled) return stoppedPage(linked, 'already-stopped');
  return page(
    'Stop this scheduled export?',
    [
      p(
        `You receive the user activity export of ${customer} by email, sent to ${schedule.recipient} by export schedule ${schedule.id}.`,
      ),
      p('Press the button to stop it. Nothing is stopped until you do.'),
      // No action: the form posts to the very address the link opened, behind any proxy.
      '<form method="post">',
      '<input type="hidden" name="List-Unsubscribe" value="One-Click">',
      '<button type="submit">Stop these emails</button>',
      '</form>',
    ].join('\n'),
  );
}

/** POST: what was done. */
export function stoppedPage(linked: LinkedSchedule, outcome: 'stopped' | 'already-stopped'): string {
  const { schedule, customer } = linked;
  const what = `The user activity export of ${customer} to ${schedule.recipient} (export schedule ${schedule.id})`;
  return page(
    outcome === 'stopped' ? 'Stopped' : 'Already stopped',
    [
      p(
        outcome === 'stopped'
          ? `${what} is stopped: no more of these emails will be sent. Your Spotlight support contact has been told.`
          : `${what} is already stopped: no more of these emails will be sent.`,
      ),
      p('To receive it again, ask your Spotlight support contact.'),
    ].join('\n'),
  );
}

/** A link that names nothing valid, or a request that could not be read: nothing changed. */
export function refusalPage(title: string, text: string): string {
  return page(title, [p(text), p('Nothing was changed.')].join('\n'));
}
