// Every call to the server goes through here: the API key is attached, and any refusal becomes an ApiError
// carrying the server's message and field ({"error": {"message", "field", "code"}}, DESIGN.md §7, or
// OpenAI's error shape on /v1), so pages can always show a message instead of a blank page.
import {getKey, askForKey} from './key.js';

export class ApiError extends Error {
  constructor(status, message, field, code) {
    super(message);
    this.status = status;
    this.field = field ?? null;
    this.code = code ?? null;
  }
}

function headers(extra = {}) {
  const key = getKey();
  return key ? {...extra, Authorization: `Bearer ${key}`} : {...extra};
}

async function errorOf(response) {
  let body = null;
  const text = await response.text().catch(() => '');
  try { body = JSON.parse(text); } catch { /* not JSON: a proxy's page, a stack trace */ }
  const error = body?.error;
  const message = error?.message ?? (text && text.length < 300 ? text : `${response.status} ${response.statusText}`);
  return new ApiError(response.status, message, error?.field ?? error?.param, error?.code);
}

/**
 * fetch with the key; a 401 asks for a key once and retries. Throws ApiError on any non-2xx answer and
 * on network failure (status 0).
 */
export async function request(method, path, body, {retried = false, raw = false, signal} = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: headers(body === undefined ? {} : {'Content-Type': 'application/json'}),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, `The server cannot be reached (${error.message}).`);
  }
  if (response.status === 401 && !retried) {
    const error = await errorOf(response);
    if (await askForKey(error.message)) return request(method, path, body, {retried: true, raw, signal});
    throw error;
  }
  if (!response.ok) throw await errorOf(response);
  if (raw) return response;
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') ?? '';
  return type.includes('json') ? response.json() : response.text();
}

export const get = (path, options) => request('GET', path, undefined, options);
export const post = (path, body, options) => request('POST', path, body, options);
export const del = (path, options) => request('DELETE', path, undefined, options);

export {headers as authHeaders};
