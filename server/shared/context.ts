// What every service needs: reference data, the clock and the settings that shape answers.
import type { Catalog } from '../domain/catalog.ts';
import type { WorkingCalendar } from '../domain/calendar.ts';
import type { WorkingHours } from '../domain/working-time.ts';
import type { Clock } from './clock.ts';
import type { LearntDurations } from '../applications/learnt-durations.ts';

export interface ServiceContext {
  catalog: Catalog;
  calendar: WorkingCalendar;
  learnt: LearntDurations;
  clock: Clock;
  timeZone: string;
  secret: string;
  /** handlers' working hours (WORKING_HOURS): warning instants are measured in them; default 08:30–17:30 */
  workingHours?: WorkingHours;
  /**
   * The risk rules' share of an application's total limit below which, with the requested date infeasible, the
   * application is at risk of a complaint (catalog/risk-rules.json); null: not watched
   */
  limitRiskShare?: number | null;
}
