// A websocket feed that stays connected: it reconnects by itself (with backoff) after the
// server restarts and asks for everything after the last cursor it saw, so no message is lost.
// A handshake the server refuses (a bad filter) stops it: browsers cannot read a refused handshake's
// answer, so the feed fetches the same address over plain HTTP, where the server runs the same check.

import { ApiError, wsUrl } from "./api.js";

// The problem a plain GET of a websocket address answers when its query is fine.
const WEBSOCKET_EXPECTED = "/problems/websocket-expected";

export class LiveFeed {
  /**
   * ``path``: e.g. "/ws/deliveries"; ``params``: filters sent as the query string;
   * ``backlog``: how many past messages to ask for on the first connection (null: the server's
   *   default of 50; 0: none, news only);
   * ``onMessages(list)``: messages in order; ``onState(state)``: connecting, live, reconnecting, refused;
   * ``onGap(message)``: the server could not replay everything (refetch through the REST API);
   * ``onRefused(apiError)``: the server refuses this address or query (4xx): the feed has stopped.
   */
  constructor(path, {
    params = {}, backlog = null, onMessages = () => {}, onState = () => {}, onGap = () => {}, onRefused = () => {},
  } = {}) {
    Object.assign(this, { path, params, backlog, onMessages, onState, onGap, onRefused });
    this.cursor = null;
    this.socket = null;
    this.closed = false;
    this.delay = 500;
    this.timer = null;
    this.attempts = 0; // tells a late answer about an older connection from the current one's
  }

  start() {
    this.closed = false;
    this.connect();
    return this;
  }

  /** Change the filters: reconnect from scratch (the caller clears what it shows). */
  restart(params, { backlog = this.backlog } = {}) {
    this.params = params;
    this.backlog = backlog;
    this.cursor = null;
    this.stop();
    this.start();
  }

  stop() {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.socket) {
      const socket = this.socket;
      socket.onclose = null;
      socket.onmessage = null;
      socket.onerror = null;
      // Closing a socket still connecting makes the browser log "closed before the connection is
      // established": let it open, then close it.
      if (socket.readyState === WebSocket.CONNECTING) socket.onopen = () => socket.close();
      else socket.close();
      this.socket = null;
    }
  }

  connect() {
    const query = { ...this.params };
    if (this.cursor !== null) query.since = this.cursor;
    else if (this.backlog !== null) query.backlog = this.backlog;
    this.onState(this.cursor === null ? "connecting" : "reconnecting");
    const url = wsUrl(this.path, query);
    const attempt = ++this.attempts;
    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.delay = 500;
      this.onState("live");
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = () => {
      this.socket = null;
      if (this.closed) return;
      if (opened) this.retry();
      else this.askWhy(url, attempt);
    };
  }

  /** The handshake failed: fetch the same address and query; a 4xx problem means stop, else retry. */
  async askWhy(url, attempt) {
    const refusal = await whyRefused(url.replace(/^ws/, "http"));
    if (this.closed || attempt !== this.attempts) return; // stopped or restarted meanwhile
    if (!refusal) {
      this.retry();
      return;
    }
    this.closed = true;
    this.onState("refused");
    this.onRefused(refusal);
  }

  retry() {
    this.onState("reconnecting");
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), this.delay);
    this.delay = Math.min(this.delay * 2, 5000);
  }

  receive(text) {
    let data;
    try {
      data = JSON.parse(text);
    } catch {
      return;
    }
    const list = Array.isArray(data) ? data : Array.isArray(data.messages) ? data.messages : [data];
    const messages = [];
    for (const message of list) {
      if (message && typeof message.cursor === "number") this.cursor = Math.max(this.cursor ?? 0, message.cursor);
      if (message && message.type === "gap") this.onGap(message);
      else if (message && message.type) messages.push(message);
    }
    if (messages.length) this.onMessages(messages);
  }
}

/** The server's 4xx problem for ``url``, or null when it cannot say (down, 5xx, or the query is fine). */
async function whyRefused(url) {
  let response;
  let problem;
  try {
    response = await fetch(url, { headers: { Accept: "application/problem+json, application/json" } });
    if (response.status < 400 || response.status >= 500 || [408, 429].includes(response.status)) return null;
    if (!(response.headers.get("Content-Type") || "").includes("json")) return null;
    problem = await response.json();
  } catch {
    return null; // the sandbox did not answer: keep reconnecting
  }
  if (!problem || String(problem.type || "").endsWith(WEBSOCKET_EXPECTED)) return null;
  return new ApiError(response.status, problem);
}
