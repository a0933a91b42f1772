// Imports a JSON-lines export of the marketing system (handlers, applications, step events) through the
// same ingest service the sync API uses, line by line, streaming.
import fs from 'node:fs';
import readline from 'node:readline';
import type { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import { Compile } from 'typebox/compile';
import { parseInstant } from '../domain/dates.ts';
import { JiedianError } from '../errors.ts';
import { describeValidationIssue } from '../http-errors.ts';
import {
  ApplicationBody,
  ApplicationParams,
  HandlerBody,
  HandlerParams,
  MAX_EVENTS_PER_BATCH,
  SyncEvent,
} from '../schemas/sync.ts';
import type { IngestService } from '../applications/ingest.ts';

export type ImportIngest = Pick<IngestService, 'upsertHandler' | 'upsertApplication' | 'ingestEvents'>;

export interface ImportOptions {
  file: string;
  ingest: ImportIngest;
  /** where the progress bar goes (stderr) */
  out: Writable;
  /** where the summary goes; stdout unless given */
  summaryOut?: Writable;
  progress: boolean;
}

export interface ImportRejection {
  line: number;
  message: string;
}

export interface ImportSummary {
  lines: number;
  handlers: number;
  applications: number;
  events: number;
  accepted: number;
  duplicates: number;
  parked: number;
  rejected: ImportRejection[];
}

export const LISTED_REJECTIONS = 100;

const kinds = ['handler', 'application', 'event'] as const;
type Kind = (typeof kinds)[number];

const checkHandlerId = Compile(HandlerParams);
const checkHandler = Compile(HandlerBody);
const checkApplicationNo = Compile(ApplicationParams);
const checkApplication = Compile(ApplicationBody);
const checkEvent = Compile(SyncEvent);

interface Validator {
  Check(value: unknown): boolean;
  Errors(value: unknown): Parameters<typeof describeValidationIssue>[1][];
}

/** The first schema issue of `value`, described as `<context>.<field> …`, or null when it is valid. */
function firstIssue(validator: Validator, context: string, value: unknown): string | null {
  if (validator.Check(value)) return null;
  const issue = validator.Errors(value)[0];
  return issue ? describeValidationIssue(context, issue) : `${context} is invalid`;
}

function kindOf(record: Record<string, unknown>): Kind | string {
  if ('kind' in record) {
    return kinds.includes(record.kind as Kind) ? (record.kind as Kind) : `"kind" must be one of ${kinds.join(', ')}`;
  }
  // Events carry applicationNo and handlerId too, so eventId decides first.
  if ('eventId' in record) return 'event';
  if ('applicationNo' in record) return 'application';
  if ('handlerId' in record) return 'handler';
  return 'cannot tell a handler, an application or an event apart: no handlerId, applicationNo or eventId (or add "kind")';
}

function without(record: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  const copy = { ...record };
  for (const key of keys) delete copy[key];
  return copy;
}

/** Messages from the ingest name the HTTP body; here the subject is the line's record. */
function relabel(message: string, context: string): string {
  return message.replace(/^(body|events\[\d+\])(?=[.\s[])/, context);
}

export function formatSummary(summary: ImportSummary): string {
  const { accepted, duplicates, parked, rejected } = summary;
  const lines = [`accepted ${accepted}, duplicates ${duplicates}, parked ${parked}, rejected ${rejected.length}`];
  for (const r of rejected.slice(0, LISTED_REJECTIONS)) lines.push(`line ${r.line}: ${r.message}`);
  if (rejected.length > LISTED_REJECTIONS) lines.push(`… and ${rejected.length - LISTED_REJECTIONS} more`);
  return lines.join('\n') + '\n';
}

export async function runImport(options: ImportOptions): Promise<ImportSummary> {
  const { ingest } = options;
  const summary: ImportSummary = { lines: 0, handlers: 0, applications: 0, events: 0, accepted: 0, duplicates: 0, parked: 0, rejected: [] };
  const reject = (line: number, message: string): void => {
    summary.rejected.push({ line, message });
  };

  let buffer: { line: number; event: Record<string, unknown> }[] = [];

  async function flushEvents(): Promise<void> {
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    const result = await ingest.ingestEvents(batch.map((b) => b.event));
    summary.accepted += result.accepted;
    summary.duplicates += result.duplicates;
    summary.parked += result.parked;
    // The same eventId may occur twice in one batch: hand out its lines in file order.
    const linesById = new Map<string, number[]>();
    for (const b of batch) {
      const id = b.event.eventId as string;
      linesById.set(id, [...(linesById.get(id) ?? []), b.line]);
    }
    for (const r of result.rejected) {
      // Rejections found while validating name the index in the batch; later ones only the eventId.
      const index = /^events\[(\d+)\]/.exec(r.message)?.[1];
      const line = index !== undefined ? batch[Number(index)]?.line : r.eventId !== null ? linesById.get(r.eventId)?.shift() : undefined;
      reject(line ?? 0, relabel(r.message, 'event'));
    }
  }

  async function importHandler(line: number, record: Record<string, unknown>): Promise<void> {
    const problem = firstIssue(checkHandlerId, 'handler', record) ?? firstIssue(checkHandler, 'handler', record);
    if (problem) return reject(line, problem);
    await ingest.upsertHandler(record.handlerId as string, without(record, 'handlerId', 'kind') as HandlerBody);
    summary.handlers++;
    summary.accepted++;
  }

  async function importApplication(line: number, record: Record<string, unknown>): Promise<void> {
    const problem = firstIssue(checkApplicationNo, 'application', record) ?? firstIssue(checkApplication, 'application', record);
    if (problem) return reject(line, problem);
    // Earlier events go first, so the file is applied in the order it was written.
    await flushEvents();
    const { changed } = await ingest.upsertApplication(record.applicationNo as string, without(record, 'applicationNo', 'kind') as ApplicationBody);
    summary.applications++;
    if (changed) summary.accepted++;
    else summary.duplicates++;
  }

  async function bufferEvent(line: number, record: Record<string, unknown>): Promise<void> {
    const event = without(record, 'kind');
    const problem = firstIssue(checkEvent, 'event', event);
    if (problem) return reject(line, problem);
    if (parseInstant(event.at as string) === null) return reject(line, 'event.at must be an ISO date-time with offset');
    summary.events++;
    buffer.push({ line, event });
    if (buffer.length >= MAX_EVENTS_PER_BATCH) await flushEvents();
  }

  const total = fs.statSync(options.file).size;
  const stream = fs.createReadStream(options.file, { encoding: 'utf8' });
  const bar = options.progress
    ? new cliProgress.SingleBar(
        { stream: options.out, format: 'importing [{bar}] {percentage}% | {value}/{total} bytes | {duration_formatted}', hideCursor: true, fps: 10 },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(total, 0);

  try {
    const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
    let lineNo = 0;
    for await (const raw of lines) {
      lineNo++;
      bar?.update(stream.bytesRead);
      const text = (lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
      if (text === '') continue;
      summary.lines++;
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch (error) {
        reject(lineNo, `malformed JSON: ${(error as Error).message}`);
        continue;
      }
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        reject(lineNo, 'must be a JSON object');
        continue;
      }
      const object = record as Record<string, unknown>;
      const kind = kindOf(object);
      try {
        if (kind === 'handler') await importHandler(lineNo, object);
        else if (kind === 'application') await importApplication(lineNo, object);
        else if (kind === 'event') await bufferEvent(lineNo, object);
        else reject(lineNo, kind);
      } catch (error) {
        // Only the contract's own errors are about the line; anything else (a broken database) stops the import.
        if (!(error instanceof JiedianError)) throw error;
        reject(lineNo, relabel(error.message, kind === 'event' ? 'event' : String(kind)));
      }
    }
    await flushEvents();
    bar?.update(total);
  } finally {
    bar?.stop();
    stream.destroy();
  }

  summary.rejected.sort((a, b) => a.line - b.line);
  (options.summaryOut ?? process.stdout).write(formatSummary(summary));
  return summary;
}
