// Loads and validates the process catalog and the calendar overrides named by the configuration.
import fs from 'node:fs';
import { ConfigError, type Config } from '../config.ts';
import { validateCatalog, type Catalog } from '../domain/catalog.ts';
import { buildWorkingCalendar, validateCalendarOverrides, type WorkingCalendar } from '../domain/calendar.ts';
import { validateWorkingSeasons, type WorkingSeason } from '../domain/working-time.ts';

export interface ReferenceData {
  catalog: Catalog;
  calendar: WorkingCalendar;
  /** seasonal working hours from the calendar file (`workingHours`); empty: WORKING_HOURS all year */
  workingSeasons: WorkingSeason[];
}

function readJson(file: string, variable: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(variable, `cannot be read as JSON (${file}): ${(error as Error).message}`);
  }
}

const cache = new Map<string, ReferenceData>();

/** Built once per pair of files: the calendar precomputes years of workdays. */
export function loadReferenceData(config: Pick<Config, 'catalogPath' | 'calendarPath'>): ReferenceData {
  const key = `${config.catalogPath}\u0000${config.calendarPath}`;
  const cached = cache.get(key);
  if (cached) return cached;
  let catalog: Catalog;
  let calendar: WorkingCalendar;
  let workingSeasons: WorkingSeason[];
  try {
    catalog = validateCatalog(readJson(config.catalogPath, 'CATALOG_PATH'));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError('CATALOG_PATH', `names an invalid catalog (${config.catalogPath}): ${(error as Error).message}`);
  }
  try {
    const json = readJson(config.calendarPath, 'CALENDAR_PATH');
    calendar = buildWorkingCalendar({ overrides: validateCalendarOverrides(json) });
    workingSeasons = validateWorkingSeasons((json as Record<string, unknown>)['workingHours']);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError('CALENDAR_PATH', `names an invalid calendar (${config.calendarPath}): ${(error as Error).message}`);
  }
  const data = { catalog, calendar, workingSeasons };
  cache.set(key, data);
  return data;
}
