import type { Knex } from 'knex';
import { dialectOf } from '../../connection';

/*
 * The tables of the Spotlight Django application, exactly as Django creates
 * them on MySQL (names, types, indexes, foreign keys). Production already has
 * them; this migration exists for tests, demos and new installs.
 */

/** Every table this migration creates, in an order that satisfies every foreign key. */
export const SPOTLIGHT_TABLES = [
  'django_site',
  'central_user',
  'central_community',
  'central_community_managers',
  'central_community_members',
  'central_community_applicants',
  'central_community_banned_members',
  'central_challenge',
  'central_challenge_followers',
  'central_idea',
  'central_ideavote',
  'central_conversation',
  'central_conversation_followers',
  'central_ideacomment',
  'central_ideacomment_liked_by',
] as const;

export type SpotlightTable = (typeof SPOTLIGHT_TABLES)[number];

type Table = Knex.CreateTableBuilder;

function isMysql(knex: Knex): boolean {
  return dialectOf(knex) === 'mysql';
}

/** Django's AutoField: a signed `int` auto-increment primary key. */
function id(knex: Knex, t: Table): void {
  if (isMysql(knex)) t.specificType('id', 'int NOT NULL AUTO_INCREMENT PRIMARY KEY');
  else t.increments('id');
}

function foreignKey(t: Table, column: string, table: string, nullable = false): void {
  const col = t.integer(column);
  if (nullable) col.nullable();
  else col.notNullable();
  col.references('id').inTable(table);
  t.index([column]);
}

function timestamps(t: Table): void {
  t.datetime('created', { precision: 6 }).notNullable().index();
  t.datetime('modified', { precision: 6 }).notNullable();
}

function longText(t: Table, column: string, nullable = false): void {
  const col = t.text(column, 'longtext');
  if (nullable) col.nullable();
  else col.notNullable();
}

async function joinTable(knex: Knex, name: string, modelTable: string, modelColumn: string): Promise<void> {
  await knex.schema.createTable(name, (t) => {
    id(knex, t);
    foreignKey(t, modelColumn, modelTable);
    foreignKey(t, 'user_id', 'central_user');
    t.unique([modelColumn, 'user_id']);
  });
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('django_site', (t) => {
    id(knex, t);
    t.string('domain', 100).notNullable().unique();
    t.string('name', 50).notNullable();
  });

  await knex.schema.createTable('central_user', (t) => {
    id(knex, t);
    t.string('password', 128).notNullable();
    t.datetime('last_login', { precision: 6 }).nullable();
    for (const flag of [
      'is_active',
      'is_staff',
      'is_siteadmin',
      'is_contributor',
      'is_limited_contributor',
      'is_manager',
      'is_student',
      'is_advisor',
    ]) {
      t.boolean(flag).notNullable();
    }
    t.string('username', 254).nullable();
    t.string('email', 254).notNullable();
    t.string('first_name', 255).notNullable();
    t.string('last_name', 255).notNullable();
    t.datetime('date_joined', { precision: 6 }).notNullable();
    t.string('display_name', 50).notNullable();
    foreignKey(t, 'site_id', 'django_site');
  });

  await knex.schema.createTable('central_community', (t) => {
    id(knex, t);
    timestamps(t);
    foreignKey(t, 'site_id', 'django_site');
    foreignKey(t, 'creator_id', 'central_user');
    t.string('name', 150).notNullable();
    t.boolean('is_deleted').notNullable();
    longText(t, 'description');
    t.boolean('is_external').notNullable();
    t.string('status', 50).notNullable();
    t.string('type', 50).notNullable();
    t.string('primary_media_url', 200).nullable();
  });
  for (const relation of ['managers', 'members', 'applicants', 'banned_members']) {
    await joinTable(knex, `central_community_${relation}`, 'central_community', 'community_id');
  }

  await knex.schema.createTable('central_challenge', (t) => {
    id(knex, t);
    timestamps(t);
    foreignKey(t, 'site_id', 'django_site');
    foreignKey(t, 'creator_id', 'central_user');
    foreignKey(t, 'community_id', 'central_community', true);
    t.string('name', 255).notNullable();
    t.boolean('is_deleted').notNullable();
    longText(t, 'description');
    for (const flag of [
      'is_private',
      'is_parallel',
      'has_stats',
      'is_team_enabled',
      'send_idea_submitted_email',
    ]) {
      t.boolean(flag).notNullable();
    }
    longText(t, 'idea_submitted_email_content', true);
    t.string('image_url', 200).nullable();
    t.boolean('is_spotlight_share_enabled').notNullable();
    t.boolean('is_yammer_share_enabled').notNullable();
  });
  await joinTable(knex, 'central_challenge_followers', 'central_challenge', 'challenge_id');

  await knex.schema.createTable('central_idea', (t) => {
    id(knex, t);
    timestamps(t);
    foreignKey(t, 'site_id', 'django_site');
    foreignKey(t, 'creator_id', 'central_user');
    foreignKey(t, 'challenge_id', 'central_challenge', true);
    t.string('name', 255).notNullable();
    t.boolean('is_deleted').notNullable();
    t.string('status', 50).notNullable();
    longText(t, 'summary');
    t.string('image_url', 200).nullable();
    t.decimal('score', 20, 15).notNullable();
    t.boolean('is_progressing').notNullable();
    t.boolean('is_draft').notNullable();
    t.integer('popularity').notNullable();
    for (const counter of ['num_upvotes', 'num_downvotes', 'num_visits', 'num_comments']) {
      t.integer(counter).unsigned().notNullable();
    }
  });

  await knex.schema.createTable('central_conversation', (t) => {
    id(knex, t);
    timestamps(t);
    foreignKey(t, 'site_id', 'django_site');
    foreignKey(t, 'creator_id', 'central_user', true);
    foreignKey(t, 'community_id', 'central_community', true);
    t.string('name', 255).notNullable();
    t.boolean('is_deleted').notNullable();
    longText(t, 'question');
    t.string('status', 50).notNullable();
    t.string('image_url', 200).nullable();
    t.datetime('start_datetime', { precision: 6 }).nullable();
    t.datetime('close_datetime', { precision: 6 }).nullable();
    longText(t, 'share_message');
  });
  await joinTable(knex, 'central_conversation_followers', 'central_conversation', 'conversation_id');

  await knex.schema.createTable('central_ideacomment', (t) => {
    id(knex, t);
    timestamps(t);
    foreignKey(t, 'site_id', 'django_site');
    foreignKey(t, 'creator_id', 'central_user');
    foreignKey(t, 'response_to_id', 'central_idea');
    foreignKey(t, 'parent_id', 'central_ideacomment', true);
    t.boolean('is_deleted').notNullable();
    longText(t, 'comment');
    t.datetime('edited_datetime', { precision: 6 }).nullable();
    t.boolean('is_advisor_comment').notNullable();
  });
  await joinTable(knex, 'central_ideacomment_liked_by', 'central_ideacomment', 'ideacomment_id');

  await knex.schema.createTable('central_ideavote', (t) => {
    id(knex, t);
    timestamps(t);
    foreignKey(t, 'creator_id', 'central_user');
    foreignKey(t, 'idea_id', 'central_idea');
    t.boolean('is_upvote').notNullable();
    t.unique(['creator_id', 'idea_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [...SPOTLIGHT_TABLES].reverse()) {
    await knex.schema.dropTableIfExists(table);
  }
}
