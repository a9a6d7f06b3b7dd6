import * as spotlightSchema from './0001-spotlight-schema';

/** Spotlight's own (Django) tables, in order. Never run against production, where they exist. */
export const spotlightMigrations = { '0001-spotlight-schema': spotlightSchema };
