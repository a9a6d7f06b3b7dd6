/**
 * A resource that does not exist or that the token may not see: both answer
 * 404 with the same message, so a site token learns nothing about other sites.
 */
export class NotVisibleError extends Error {
  override readonly name = 'NotVisibleError';
}
