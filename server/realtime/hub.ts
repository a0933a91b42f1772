// Publish/subscribe between services and live sockets. In-process now; a Redis or PostgreSQL
// LISTEN/NOTIFY implementation of the same interface serves several instances later.

/** Messages are serialised once by the publisher and sent as they are to every subscriber. */
export type Subscriber = (message: string) => void;

export interface RealtimeHub {
  /** delivers to every subscriber of the topic; returns how many there were */
  publish(topic: string, message: string): number;
  /** delivers to this instance's subscribers of the topic only (what every instance works out for itself) */
  publishHere(topic: string, message: string): number;
  subscribe(topic: string, subscriber: Subscriber): () => void;
  /** this instance's subscribers only */
  hasSubscribers(topic: string): boolean;
  /** true when the hub spans instances: another instance may follow any topic, whatever hasSubscribers says here */
  readonly spansInstances?: boolean;
}

/** Topic names, in one place. */
export const topics = {
  application: (applicationNo: string) => `application:${applicationNo}`,
  handler: (handlerId: string) => `staff:handler:${handlerId}`,
  team: (teamId: string) => `staff:team:${teamId}`,
  allStaff: 'staff:all',
  /** the application numbers a commit changed (JSON array), for each instance to push to its own followers */
  progressChanged: 'progress:changed',
} as const;

export function createInProcessHub(onError: (error: unknown) => void = () => {}): RealtimeHub {
  const subscribers = new Map<string, Set<Subscriber>>();
  const publish = (topic: string, message: string) => {
    const set = subscribers.get(topic);
    if (!set) return 0;
    for (const subscriber of set) {
      try {
        subscriber(message);
      } catch (error) {
        onError(error);
      }
    }
    return set.size;
  };
  return {
    publish,
    publishHere: publish,
    subscribe(topic, subscriber) {
      let set = subscribers.get(topic);
      if (!set) subscribers.set(topic, (set = new Set()));
      set.add(subscriber);
      return () => {
        set.delete(subscriber);
        // only this topic's current set: a stale unsubscribe must not remove a set made by later subscribers
        if (set.size === 0 && subscribers.get(topic) === set) subscribers.delete(topic);
      };
    },
    hasSubscribers: (topic) => (subscribers.get(topic)?.size ?? 0) > 0,
  };
}
