// Schemas of the timeliness statistics (API.md §3, GET /api/v1/stats/timeliness).
import Type from 'typebox';
import { timelinessGroupings } from '../domain/timeliness.ts';

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const TimelinessQuery = Type.Object({
  from: Type.String({ format: 'date', description: 'first day counted, YYYY-MM-DD in the utility\'s time zone' }),
  to: Type.String({ format: 'date', description: 'last day counted (inclusive)' }),
  groupBy: Type.Enum([...timelinessGroupings]),
  format: Type.Optional(Type.Enum(['json', 'csv'], { description: 'csv: the same rows as UTF-8 CSV with a BOM and a header row' })),
  header: Type.Optional(Type.Enum(['keys', 'names'], { description: 'the CSV header row: the JSON keys (default) or the Chinese column names the statistics page shows' })),
});

export const TimelinessRowSchema = Type.Object({
  key: Type.String({ description: 'stepCode, handlerId or teamId; "" for steps without a handler' }),
  name: Type.String(),
  stepsStarted: Type.Integer({ description: 'utility step occurrences started in the range' }),
  stepsCompleted: Type.Integer({ description: 'completed in the range' }),
  onTime: Type.Integer({ description: 'completed in the range without an overdue alert' }),
  warned: Type.Integer({ description: 'warning alerts raised in the range' }),
  overdue: Type.Integer({ description: 'overdue alerts whose due time is in the range, raised live or recorded when synced late' }),
  explained: Type.Integer({ description: 'of those overdue, explained' }),
  onTimeRate: Nullable(Type.Number({ description: 'onTime / stepsCompleted' })),
  avgWorkdays: Nullable(Type.Number({ description: 'mean working days the completed steps took' })),
  limitWorkdays: Nullable(Type.Number({ description: 'mean limit of the same steps' })),
});

export const TimelinessReply = Type.Object({ rows: Type.Array(TimelinessRowSchema) });
