// Loads and validates the process catalog and the calendar overrides named by the configuration.
import fs from 'node:fs';
import { ConfigError, type Config } from '../config.ts';
import { validateCatalog, type Catalog } from '../domain/catalog.ts';
import { buildWorkingCalendar, validateCalendarOverrides, type WorkingCalendar } from '../domain/calendar.ts';

export interface ReferenceData {
  catalog: Catalog;
  calendar: WorkingCalendar;
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
  try {
    catalog = validateCatalog(readJson(config.catalogPath, 'CATALOG_PATH'));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError('CATALOG_PATH', `names an invalid catalog (${config.catalogPath}): ${(error as Error).message}`);
  }
  try {
    calendar = buildWorkingCalendar({ overrides: validateCalendarOverrides(readJson(config.calendarPath, 'CALENDAR_PATH')) });
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError('CALENDAR_PATH', `names an invalid calendar (${config.calendarPath}): ${(error as Error).message}`);
  }
  const data = { catalog, calendar };
  cache.set(key, data);
  return data;
}
