// The knowledge base: loaded from its data file into the DB at start, edited by staff, searched from memory.
import fs from 'node:fs';
import { ConfigError } from '../config.ts';
import { JiedianError } from '../errors.ts';
import { formatInstant } from '../domain/dates.ts';
import { buildKnowledgeIndex, type KnowledgeEntry, type KnowledgeIndex } from '../domain/chat/knowledge-base.ts';
import type { KnowledgeRow } from './chat-store.ts';
import type { Stores, Transact } from '../stores.ts';
import type { Clock } from '../shared/clock.ts';

export const KNOWLEDGE_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const MAX_ANSWER_LENGTH = 300;

/** Reads and checks the data file; a broken file stops the start with a message naming the entry. */
export function loadKnowledgeFile(file: string): KnowledgeEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError('KNOWLEDGE_BASE_PATH', `names an unreadable knowledge base (${file}): ${(error as Error).message}`);
  }
  const entries = (json as { entries?: unknown })?.entries;
  if (!Array.isArray(entries)) throw new ConfigError('KNOWLEDGE_BASE_PATH', `${file} must hold { "entries": [...] }`);
  const seen = new Set<string>();
  return entries.map((raw, i) => {
    const problem = checkEntry(raw);
    if (problem) throw new ConfigError('KNOWLEDGE_BASE_PATH', `${file}: entries[${i}] ${problem}`);
    const entry = raw as KnowledgeEntry;
    if (seen.has(entry.id)) throw new ConfigError('KNOWLEDGE_BASE_PATH', `${file}: entries[${i}] repeats the id "${entry.id}"`);
    seen.add(entry.id);
    return { id: entry.id, question: entry.question, variants: entry.variants ?? [], keywords: entry.keywords ?? [], answer: entry.answer };
  });
}

const strings = (v: unknown) => v === undefined || (Array.isArray(v) && v.every((s) => typeof s === 'string' && s.trim() !== ''));

function checkEntry(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return 'must be an object';
  const e = raw as Record<string, unknown>;
  if (typeof e.id !== 'string' || !KNOWLEDGE_ID.test(e.id)) return 'needs an id of lower-case letters, digits, - and _';
  if (typeof e.question !== 'string' || e.question.trim() === '') return 'needs a question';
  if (typeof e.answer !== 'string' || e.answer.trim() === '') return 'needs an answer';
  if (e.answer.length > MAX_ANSWER_LENGTH) return `has an answer longer than ${MAX_ANSWER_LENGTH} characters`;
  if (!strings(e.variants)) return 'has variants that are not a list of texts';
  if (!strings(e.keywords)) return 'has keywords that are not a list of texts';
  return null;
}

export interface KnowledgeEntryView extends KnowledgeEntry {
  source: 'file' | 'staff';
  updatedAt: string;
  updatedBy: string | null;
}

export function createKnowledgeBase(deps: { stores: Stores; transact: Transact; clock: Clock; timeZone: string; fileEntries: KnowledgeEntry[] }) {
  const store = deps.stores.chats;
  const { transact } = deps;
  let cached: { stamp: string; index: KnowledgeIndex } | null = null;

  const toEntry = (row: KnowledgeRow): KnowledgeEntry => ({ id: row.id, question: row.question, variants: row.variants, keywords: row.keywords, answer: row.answer });
  const view = (row: KnowledgeRow): KnowledgeEntryView => ({
    ...toEntry(row),
    source: row.source,
    updatedAt: formatInstant(row.updatedAt, deps.timeZone),
    updatedBy: row.updatedBy,
  });

  return {
    /** Upserts the data file's entries (those staff have not edited). Returns how many rows changed. */
    syncFromFile(): Promise<number> {
      const now = deps.clock.now();
      return transact(async ({ chats }) => {
        let changed = 0;
        for (const entry of deps.fileEntries) if (await chats.upsertKnowledgeFromFile({ ...entry, updatedAt: now })) changed += 1;
        return changed;
      });
    },

    /** The search index over the DB's entries; rebuilt when an entry was added or edited (here or by another instance). */
    async index(): Promise<KnowledgeIndex> {
      const stamp = await store.knowledgeStamp();
      if (cached?.stamp !== stamp) cached = { stamp, index: buildKnowledgeIndex((await store.knowledgeEntries()).map(toEntry)) };
      return cached.index;
    },

    list: async (): Promise<KnowledgeEntryView[]> => (await store.knowledgeEntries()).map(view),

    async get(id: string): Promise<KnowledgeEntryView> {
      const row = await store.knowledgeEntry(id);
      if (!row) throw new JiedianError('JD_NOT_FOUND', `no knowledge base entry ${id}`);
      return view(row);
    },

    /** Adds or replaces an entry; from now on the data file no longer overwrites it. */
    async put(id: string, body: Omit<KnowledgeEntry, 'id'>, handlerId: string): Promise<{ entry: KnowledgeEntryView; created: boolean }> {
      if (!KNOWLEDGE_ID.test(id)) throw new JiedianError('JD_INVALID_REQUEST', 'params.id must be lower-case letters, digits, - and _ (at most 64)');
      const now = deps.clock.now();
      // Two edits in the same millisecond must still change the stamp the index is cached under.
      const outcome = await transact(async ({ chats }) => {
        const previous = (await chats.knowledgeEntry(id))?.updatedAt ?? 0;
        return chats.putKnowledge({
        id,
        question: body.question.trim(),
        variants: body.variants.map((v) => v.trim()).filter(Boolean),
        keywords: body.keywords.map((k) => k.trim()).filter(Boolean),
        answer: body.answer.trim(),
          updatedAt: Math.max(now, previous + 1),
          updatedBy: handlerId,
        });
      });
      return { entry: view((await store.knowledgeEntry(id))!), created: outcome === 'created' };
    },
  };
}

export type KnowledgeBase = ReturnType<typeof createKnowledgeBase>;
