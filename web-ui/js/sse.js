// Server-sent events over fetch rather than EventSource, because EventSource cannot send the Authorization
// header (needed when zerotir.api.read-requires-key=true). It reconnects after a drop with Last-Event-ID, so
// the server replays the steps missed meanwhile (RunResource.runEvents) and no chart point is lost.
import {authHeaders} from './api.js';

/** Parses one event-stream body; calls onEvent({event, data, id}) per complete event. */
export async function readEventStream(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = {event: 'message', data: [], id: null};
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buffer += value;
    let newline;
    while ((newline = buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (event.data.length) onEvent({event: event.event, data: event.data.join('\n'), id: event.id});
        event = {event: 'message', data: [], id: null};
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (name === 'data') event.data.push(text);
      else if (name === 'event') event.event = text;
      else if (name === 'id') event.id = text;
    }
  }
}

/**
 * Subscribes to an SSE endpoint. handlers: {[eventName]: (parsedJson, id) => void, onState(text)}.
 * Returns a function that closes the stream for good.
 */
export function subscribe(path, handlers, {lastEventId = null} = {}) {
  const controller = new AbortController();
  let lastId = lastEventId;
  let delay = 500;
  const state = text => handlers.onState?.(text);

  async function connect() {
    while (!controller.signal.aborted) {
      try {
        const extra = {Accept: 'text/event-stream'};
        if (lastId !== null && lastId !== undefined) extra['Last-Event-ID'] = String(lastId);
        const response = await fetch(path, {headers: authHeaders(extra), signal: controller.signal});
        if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
        state('live');
        delay = 500;
        await readEventStream(response.body, ({event, data, id}) => {
          if (id !== null && id !== '') lastId = id;
          let parsed = data;
          try { parsed = JSON.parse(data); } catch { /* plain text event */ }
          handlers[event]?.(parsed, id);
        });
        state('reconnecting');
      } catch (error) {
        if (controller.signal.aborted) return;
        state(`reconnecting (${error.message})`);
      }
      await new Promise(resolve => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }
  connect();
  return () => controller.abort();
}
