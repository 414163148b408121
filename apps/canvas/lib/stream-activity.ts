/**
 * When the event stream last said anything. tRPC's SSE link swallows keep-alive pings, so the
 * EventSource it opens is wrapped to note every message, ping and (re)connect here; the live sync's
 * watchdog reads it to tell a quiet stream from a dead one.
 */
let lastActivity = 0;

export const streamLastActivity = () => lastActivity;

const markActivity = () => {
  lastActivity = Date.now();
};

/**
 * An EventSource constructor for httpSubscriptionLink that records activity. Built lazily (the
 * module also loads during server rendering, where there is no EventSource).
 * https://trpc.io/docs/client/links/httpSubscriptionLink#custom-headers-through-ponyfill
 */
export function ActivityEventSource(url: string | URL, init?: EventSourceInit): EventSource {
  const source = new globalThis.EventSource(url, init);
  for (const type of ["open", "message", "ping", "connected"]) source.addEventListener(type, markActivity);
  return source;
}
