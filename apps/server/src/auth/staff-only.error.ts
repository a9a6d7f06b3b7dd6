/** Something only a staff token may do, asked by a site token: 403, whatever the site. */
export class StaffOnlyError extends Error {
  override readonly name = 'StaffOnlyError';
}
