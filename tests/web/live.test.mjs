// live.watch() in Node with a stand-in EventSource and document: polling runs only while the
// event stream is not open, a `change` event loads at once, and a stream closed for good
// hands over to polling.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { watch } from '../../web/js/live.js';

const POLL_MS = 20;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class FakeEventSource {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSED = 2;
  static last = null;
  constructor(url) {
    this.url = url;
    this.readyState = FakeEventSource.CONNECTING;
    this.listeners = {};
    this.closed = false;
    FakeEventSource.last = this;
  }
  addEventListener(name, fn) {
    (this.listeners[name] ||= []).push(fn);
  }
  emit(name, state) {
    if (state !== undefined) this.readyState = state;
    for (const fn of this.listeners[name] || []) fn({});
  }
  close() {
    this.closed = true;
  }
}

beforeEach(() => {
  globalThis.EventSource = FakeEventSource;
  globalThis.document = { hidden: false, addEventListener() {}, removeEventListener() {} };
});

afterEach(() => {
  delete globalThis.EventSource;
  delete globalThis.document;
});

test('polls while the stream is not open, and stops polling once it is', async () => {
  let loads = 0;
  const live = watch(async () => loads++, { fallbackMs: POLL_MS });
  try {
    assert.equal(FakeEventSource.last.url, '/api/events');
    await sleep(POLL_MS * 4);
    assert.ok(loads >= 2, `polled ${loads} times while connecting`);
    FakeEventSource.last.emit('open', FakeEventSource.OPEN);
    await sleep(0);
    const atOpen = loads;
    await sleep(POLL_MS * 4);
    assert.equal(loads, atOpen, 'no polling while the stream is open');
    FakeEventSource.last.emit('change');
    await sleep(0);
    assert.equal(loads, atOpen + 1, 'a change loads at once');
  } finally {
    live.stop();
  }
  assert.equal(FakeEventSource.last.closed, true, 'stop() closes the stream');
});

test('a stream closed for good (no endpoint) leaves polling on; a hidden page does not poll', async () => {
  let loads = 0;
  const live = watch(async () => loads++, { fallbackMs: POLL_MS });
  try {
    FakeEventSource.last.emit('open', FakeEventSource.OPEN);
    FakeEventSource.last.emit('error', FakeEventSource.CLOSED);
    const before = loads;
    await sleep(POLL_MS * 4);
    assert.ok(loads >= before + 2, 'polling took over');
    globalThis.document.hidden = true;
    await sleep(POLL_MS);
    const hidden = loads;
    await sleep(POLL_MS * 4);
    assert.equal(loads, hidden, 'no polling while hidden');
  } finally {
    live.stop();
  }
});
