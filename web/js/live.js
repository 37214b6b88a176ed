// Keeps a page up to date without overlapping requests. A page gives its load function to
// watch(); it runs again
//   - at once when the server says something changed (server-sent events on /api/events,
//     event `change`),
//   - at once when another tab of this browser changed something (notifyChanged()),
//   - every FALLBACK_MS while the event stream is not open (absent, refused, reconnecting)
//     and the page is visible, and when the page becomes visible again.
// A load never starts while the previous one runs: a request made meanwhile is kept and runs
// once when the current load ends.

// How often to poll while the event stream is not open: quick enough that a page is seldom
// out of date, slow enough for a school's worth of open pages.
export const FALLBACK_MS = 5000;
export const EVENTS_PATH = '/api/events';
const CHANNEL = 'hallpass-changes';

// One load at a time. Returns run(): starts a load, or queues one (at most one) after the
// running load. Pure of the DOM, so that Node tests can drive it.
export function serialize(load) {
  let running = null;
  let again = false;
  const run = () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          try {
            await load();
          } catch {
            // The page shows its own errors; a failed load is retried on the next signal.
          }
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  return run;
}

let channel = null;
let watchers = 0;
const running = new Set(); // Every watch() of this page.
let paused = false;
function theChannel() {
  if (!channel && typeof BroadcastChannel !== 'undefined') channel = new BroadcastChannel(CHANNEL);
  return channel;
}

// The last watcher gone, the channel closes (an open one would keep Node's tests running).
function releaseChannel() {
  if (watchers === 0 && channel) {
    channel.close();
    channel = null;
  }
}

// Tells the other tabs of this browser that this tab changed something.
export function notifyChanged() {
  const ch = theChannel();
  if (ch) ch.postMessage('change');
  releaseChannel();
}

// Starts keeping the page up to date; returns {refresh, stop}. The first load is the page's.
export function watch(load, { fallbackMs = FALLBACK_MS, eventsPath = EVENTS_PATH } = {}) {
  const run = serialize(load);
  const refresh = () => (paused ? Promise.resolve() : run());
  let source = null;
  let streamOpen = false;
  watchers++;
  const ch = theChannel();
  const onMessage = () => refresh();
  if (ch) ch.addEventListener('message', onMessage);
  if (typeof EventSource !== 'undefined' && eventsPath) {
    source = new EventSource(eventsPath);
    source.addEventListener('open', () => {
      // Caught up after a reconnect: changes may have come while the stream was down.
      if (!streamOpen) refresh();
      streamOpen = true;
    });
    source.addEventListener('change', () => refresh());
    source.addEventListener('error', () => {
      streamOpen = false;
      // Closed for good (no such endpoint, or refused): polling alone from now on.
      if (source.readyState === EventSource.CLOSED) source = null;
    });
  }
  const timer = setInterval(() => {
    if (!streamOpen && !document.hidden) refresh();
  }, fallbackMs);
  const onVisible = () => {
    if (!document.hidden) refresh();
  };
  document.addEventListener('visibilitychange', onVisible);
  const handle = {
    refresh,
    stop() {
      if (!running.delete(handle)) return;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
      if (ch) ch.removeEventListener('message', onMessage);
      watchers--;
      releaseChannel();
      if (source) source.close();
    },
  };
  running.add(handle);
  return handle;
}

// Holds every load of the page while it signs out, so that none meets the ended session and
// sends the page to sign in a second way; resumeAll() when signing out failed.
export function pauseAll() {
  paused = true;
}

export function resumeAll() {
  paused = false;
  for (const handle of running) handle.refresh();
}
