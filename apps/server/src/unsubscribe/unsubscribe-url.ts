/** Where the unsubscribe link of a scheduled email points, `token` signed for its recipient. */
export function unsubscribeUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/unsubscribe/${token}`;
}

/**
 * The unsubscribe link an email previewed now would carry: none without a
 * public URL, as a run's; else one that works nowhere, since the real one is
 * signed when the email is sent, and must not pause the schedule if an admin
 * follows it in a preview.
 */
export function previewUnsubscribeUrl(publicUrl: string | undefined): string | undefined {
  return publicUrl && unsubscribeUrl(publicUrl, '(a link for the recipient, made when the email is sent)');
}
