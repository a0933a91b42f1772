// Loads a template SMS provider's map (templates/sms-<provider>.json) and checks it at start: a map that would
// fail a notice stops the server, as a broken handlebars template does.
import fs from 'node:fs';
import path from 'node:path';
import { checkTemplateMap, readTemplateMap, type SmsTemplateMap, type TemplateMapProblem, type TemplateProvider } from '../server/domain/sms-template-maps.ts';

export class SmsTemplateMapError extends Error {
  constructor(
    readonly file: string,
    readonly problems: TemplateMapProblem[],
  ) {
    super(problems.map((p) => `${file}: ${p.where} ${p.message}`).join('\n'));
    this.name = 'SmsTemplateMapError';
  }
}

export const smsTemplateMapFile = (dir: string, provider: TemplateProvider) => path.join(dir, `sms-${provider}.json`);

/** Reads and checks the map; `signName` is counted in the segment budget as the provider prefixes it (【…】). */
export function inspectSmsTemplateMap(dir: string, provider: TemplateProvider, signName: string, timeZone: string) {
  const file = smsTemplateMapFile(dir, provider);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    return { file, map: null, problems: [{ where: '(file)', message: error instanceof Error ? error.message : String(error) }], renders: [] };
  }
  const read = readTemplateMap(json, provider);
  if (!read.map) return { file, map: null, problems: read.problems, renders: [] };
  const { problems, renders } = checkTemplateMap(read.map, `【${signName}】`, timeZone);
  return { file, map: read.map, problems, renders };
}

export function loadSmsTemplateMap(dir: string, provider: TemplateProvider, signName: string, timeZone: string): SmsTemplateMap {
  const { file, map, problems } = inspectSmsTemplateMap(dir, provider, signName, timeZone);
  if (!map || problems.length > 0) throw new SmsTemplateMapError(path.relative(process.cwd(), file) || file, problems);
  return map;
}
