// Per-process caches built from the database (the learnt step durations) must not outlive a change another instance
// makes to what they are built from. The instance that changes it announces the cache through the realtime hub after
// commit; every other instance drops its copy and rebuilds it on next use. In-process (SQLite, one process) nobody
// else hears it; on PostgreSQL it goes to every instance by LISTEN/NOTIFY. (The knowledge base's index compares the
// database's stamp on every use, so it needs no announcement; the catalog is read once at start.)
import crypto from 'node:crypto';
import type { RealtimeHub } from './hub.ts';

export const cacheNames = ['learnt-durations'] as const;
export type CacheName = (typeof cacheNames)[number];

/** The hub topic of cache invalidations. */
export const CACHE_TOPIC = 'cache:invalidate';

export interface CacheInvalidation {
  /** After commit: other instances drop their copy of `cache`. */
  changed(cache: CacheName): void;
  /** `drop` runs when another instance announces `cache` changed; returns the unsubscribe. */
  on(cache: CacheName, drop: () => void): () => void;
  close(): void;
}

export function createCacheInvalidation(hub: RealtimeHub, onError: (error: unknown) => void = () => undefined): CacheInvalidation {
  // this instance's own announcements come back on the in-process hub: its caches are current already
  const instance = crypto.randomUUID();
  const listeners = new Map<CacheName, Set<() => void>>();
  const unsubscribe = hub.subscribe(CACHE_TOPIC, (message) => {
    let parsed: { cache?: unknown; from?: unknown };
    try {
      parsed = JSON.parse(message) as { cache?: unknown; from?: unknown };
    } catch (error) {
      onError(error);
      return;
    }
    if (parsed.from === instance) return;
    for (const drop of listeners.get(parsed.cache as CacheName) ?? []) {
      try {
        drop();
      } catch (error) {
        onError(error);
      }
    }
  });
  return {
    changed(cache) {
      hub.publish(CACHE_TOPIC, JSON.stringify({ cache, from: instance }));
    },
    on(cache, drop) {
      let set = listeners.get(cache);
      if (!set) listeners.set(cache, (set = new Set()));
      set.add(drop);
      return () => set.delete(drop);
    },
    close: unsubscribe,
  };
}
