'use strict'
// The app's WatermelonDB schema, as docs/sync.md declares it (schema version 1).
const { appSchema, tableSchema, Model } = require('@nozbe/watermelondb')

const s = (name, isOptional = false) => ({ name, type: 'string', isOptional })
const n = (name, isOptional = false) => ({ name, type: 'number', isOptional })
const b = (name) => ({ name, type: 'boolean' })

const TABLES = {
  rituals: [
    s('template_id', true), s('title'), s('description'), s('category'), s('rrule'), s('start_date'),
    s('local_time'), s('time_zone'), n('duration_minutes'), n('reminder_offset_minutes'), b('is_joint'),
    b('requires_both_confirmation'), s('status'), n('grace_days'), n('created_at'), n('updated_at'),
  ],
  ritual_completions: [s('ritual_id'), s('user_id'), n('occurrence_at'), s('note'), n('connection_rating', true), n('created_at')],
  goals: [
    s('title'), s('description'), s('status'), s('proposed_by_id', true), s('target_date', true), s('ritual_ids'),
    n('version'), n('created_at'), n('updated_at'),
  ],
  check_ins: [s('user_id'), n('mood'), n('connection'), s('note'), b('is_shared'), s('local_date'), n('created_at')],
  nudges: [
    s('sender_id'), s('recipient_id'), s('kind'), s('message'), s('response'), s('response_text'), n('created_at'),
    n('delivered_at', true), n('seen_at', true), n('responded_at', true),
  ],
  daily_prompts: [s('day'), s('prompt_text'), n('created_at')],
  prompt_answers: [s('daily_prompt_id'), s('user_id'), s('text'), b('revealed'), n('created_at'), n('updated_at')],
  notifications: [s('kind'), s('title'), s('body'), s('data'), n('created_at'), n('read_at', true)],
  partner_profiles: [s('display_name'), s('time_zone')],
  weekly_reports: [s('week_start'), n('algorithm_version'), s('shared'), s('personal', true), n('finalised_at')],
  weekly_reflections: [s('report_id'), s('user_id'), s('text'), b('revealed'), n('created_at'), n('updated_at')],
  date_plans: [
    s('idea_id', true), s('title'), s('status'), s('proposed_by_id', true), s('offered_by_id', true), s('place'),
    s('local_date'), s('local_time'), s('time_zone'), n('duration_minutes'), n('starts_at'), n('ends_at'),
    s('ritual_id', true), n('ritual_occurrence_at', true), n('version'), n('created_at'), n('updated_at'),
  ],
  date_memories: [
    s('date_id'), s('author_id'), n('rating', true), s('note'), b('has_photo'), n('created_at'), n('updated_at'),
  ],
}

const schema = appSchema({
  version: 1,
  tables: Object.entries(TABLES).map(([name, columns]) => tableSchema({ name, columns })),
})

// No decorators: the tests read and write raw columns, as sync does.
const modelClasses = Object.keys(TABLES).map((table) => {
  const M = class extends Model {}
  M.table = table
  return M
})

module.exports = { schema, modelClasses, TABLES }
