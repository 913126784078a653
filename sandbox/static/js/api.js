// The JSON API client of the pages: the same routes the README documents, nothing else.

import { _ } from "./i18n.js";

const TOKEN_KEY = "webhook-sandbox-token";

/** An API answer that was not 2xx: carries the problem+json body and its field errors. */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.errors = Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }

  /** Field errors as {field: [messages]}. */
  byField() {
    const out = {};
    for (const { field, message } of this.errors) (out[field] ||= []).push(message);
    return out;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

function askForToken() {
  const given = window.prompt(_("This sandbox was started with --token. Enter the API token:"));
  if (given) sessionStorage.setItem(TOKEN_KEY, given.trim());
  return Boolean(given);
}

/** Call the API; resolve to the parsed JSON body, or throw ApiError. */
export async function api(method, path, body, { headers = {}, signal } = {}) {
  for (let tries = 0; ; tries++) {
    const init = { method, headers: { Accept: "application/json", ...headers }, signal };
    if (token()) init.headers.Authorization = `Bearer ${token()}`;
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = typeof body === "string" ? body : JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new ApiError(0, { title: _("Network error"), detail: _("The sandbox did not answer: is it running?") });
    }
    if (response.status === 401 && tries === 0 && askForToken()) continue;
    const text = await response.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = { detail: text };
      }
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }
}

export const get = (path, options) => api("GET", path, undefined, options);
export const post = (path, body, options) => api("POST", path, body, options);
export const put = (path, body, options) => api("PUT", path, body, options);
export const patch = (path, body, options) => api("PATCH", path, body, options);
export const del = (path, options) => api("DELETE", path, undefined, options);

/** Build an API path with a query string, skipping empty values. */
export function withQuery(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(name, value);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** The ws:// URL of a websocket path, with the token when one is set. */
export function wsUrl(path, params = {}) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const all = token() ? { ...params, token: token() } : params;
  return `${scheme}//${location.host}${withQuery(path, all)}`;
}

/** Routes used by more than one page. */
export const routes = {
  accounts: "/api/managing-entity",
  account: (id) => `/api/managing-entity/${encodeURIComponent(id)}`,
  webhooks: (accountId) => `/api/managing-entity/${encodeURIComponent(accountId)}/webhook`,
  webhook: (accountId, id) => `/api/managing-entity/${encodeURIComponent(accountId)}/webhook/${encodeURIComponent(id)}`,
};

let catalogPromise = null;

/** Every event type {key, category, status, description}, fetched once per page. */
export function eventTypes() {
  catalogPromise ||= get("/api/event-types");
  return catalogPromise;
}
