import type { Knex } from 'knex';
import { dialectOf } from '../../connection';
import {
  CHALLENGE_FLAGS,
  COMMUNITY_USER_TABLES,
  IDEA_COUNTERS,
  SPOTLIGHT_TABLE as T,
  SPOTLIGHT_TABLES,
  USER_FLAGS,
} from '../../models/spotlight-tables';

/*
 * The tables of the Spotlight Django application, exactly as Django creates
 * them on MySQL (names, types, indexes, foreign keys). Production already has
 * them; this migration exists for tests, demos and new installs.
 */

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
    foreignKey(t, 'user_id', T.user);
    t.unique([modelColumn, 'user_id']);
  });
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable(T.site, (t) => {
    id(knex, t);
    t.string('domain', 100).notNullable().unique();
    t.string('name', 50).notNullable();
  });

  await knex.schema.createTable(T.user, (t) => {
    id(knex, t);
    t.string('password', 128).notNullable();
    t.datetime('last_login', { precision: 6 }).nullable();
    for (const flag of USER_FLAGS) {
      t.boolean(flag).notNullable();
    }
    t.string('username', 254).nullable();
    t.string('email', 254).notNullable();
    t.string('first_name', 255).notNullable();
    t.string('last_name', 255).notNullable();
    t.datetime('date_joined', { precision: 6 }).notNullable();
    t.string('display_name', 50).notNullable();
    foreignKey(t, 'site_id', T.site);
  });

  await knex.schema.createTable(T.community, (t) => {
    id(knex, t);
    timestamps(t);
    foreignKey(t, 'site_id', T.site);
    foreignKey(t, 'creator_id', T.user);
    t.string('name', 150).notNullable();
    t.boolean('is_deleted').notNullable();
    longText(t, 'description');
    t.boolean('is_external').notNullable();
    t.string('status', 50).notNullable();
    t.string('type', 50).notNullable();
    t.string('primary_media_url', 200).nullable();
  });
  for (const table of COMMUNITY_USER_TABLES) {
    await joinTable(knex, table, T.community, 'community_id');
  }

  await knex.schema.createTable(T.challenge, (t) => {
    id(knex, t);
    timestamps(t);
    foreignKey(t, 'site_id', T.site);
    foreignKey(t, 'creator_id', T.user);
    foreignKey(t, 'community_id', T.community, true);
    t.string('name', 255).notNullable();
    t.boolean('is_deleted').notNullable();
    longText(t, 'description');
    for (const flag of CHALLENGE_FLAGS) {
      t.boolean(flag).notNullable();
    }
    longText(t, 'idea_submitted_email_content', true);
    t.string('image_url', 200).nullable();
    t.boolean('is_spotlight_share_enabled').notNullable();
    t.boolean('is_yammer_share_enabled').notNullable();
  });
  await joinTable(knex, T.challengeFollowers, T.challenge, 'challenge_id');

  await knex.schema.createTable(T.idea, (t) => {
    id(knex, t);
    timestamps(t);
    foreignKey(t, 'site_id', T.site);
    foreignKey(t, 'creator_id', T.user);
    foreignKey(t, 'challenge_id', T.challenge, true);
    t.string('name', 255).notNullable();
    t.boolean('is_deleted').notNullable();
    t.string('status', 50).notNullable();
    longText(t, 'summary');
    t.string('image_url', 200).nullable();
    t.decimal('score', 20, 15).notNullable();
    t.boolean('is_progressing').notNullable();
    t.boolean('is_draft').notNullable();
    t.integer('popularity').notNullable();
    for (const counter of IDEA_COUNTERS) {
      t.integer(counter).unsigned().notNullable();
    }
  });

  await knex.schema.createTable(T.conversation, (t) => {
    id(knex, t);
    timestamps(t);
    foreignKey(t, 'site_id', T.site);
    foreignKey(t, 'creator_id', T.user, true);
    foreignKey(t, 'community_id', T.community, true);
    t.string('name', 255).notNullable();
    t.boolean('is_deleted').notNullable();
    longText(t, 'question');
    t.string('status', 50).notNullable();
    t.string('image_url', 200).nullable();
    t.datetime('start_datetime', { precision: 6 }).nullable();
    t.datetime('close_datetime', { precision: 6 }).nullable();
    longText(t, 'share_message');
  });
  await joinTable(knex, T.conversationFollowers, T.conversation, 'conversation_id');

  await knex.schema.createTable(T.comment, (t) => {
    id(knex, t);
    timestamps(t);
    foreignKey(t, 'site_id', T.site);
    foreignKey(t, 'creator_id', T.user);
    foreignKey(t, 'response_to_id', T.idea);
    foreignKey(t, 'parent_id', T.comment, true);
    t.boolean('is_deleted').notNullable();
    longText(t, 'comment');
    t.datetime('edited_datetime', { precision: 6 }).nullable();
    t.boolean('is_advisor_comment').notNullable();
  });
  await joinTable(knex, T.commentLikes, T.comment, 'ideacomment_id');

  await knex.schema.createTable(T.ideaVote, (t) => {
    id(knex, t);
    timestamps(t);
    foreignKey(t, 'creator_id', T.user);
    foreignKey(t, 'idea_id', T.idea);
    t.boolean('is_upvote').notNullable();
    t.unique(['creator_id', 'idea_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [...SPOTLIGHT_TABLES].reverse()) {
    await knex.schema.dropTableIfExists(table);
  }
}
