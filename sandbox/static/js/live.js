// A websocket feed that stays connected: it reconnects by itself (with backoff) after the
// server restarts and asks for everything after the last cursor it saw, so no message is lost.

import { wsUrl } from "./api.js";

export class LiveFeed {
  /**
   * ``path``: e.g. "/ws/deliveries"; ``params``: filters sent as the query string;
   * ``backlog``: how many past messages to ask for on the first connection;
   * ``onMessages(list)``: messages in order; ``onState(state)``: connecting, live, reconnecting;
   * ``onGap(message)``: the server could not replay everything (refetch through the REST API).
   */
  constructor(path, { params = {}, backlog = 0, onMessages = () => {}, onState = () => {}, onGap = () => {} } = {}) {
    Object.assign(this, { path, params, backlog, onMessages, onState, onGap });
    this.cursor = null;
    this.socket = null;
    this.closed = false;
    this.delay = 500;
    this.timer = null;
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
      this.socket.onclose = null;
      this.socket.close();
      this.socket = null;
    }
  }

  connect() {
    const query = { ...this.params };
    if (this.cursor !== null) query.since = this.cursor;
    else if (this.backlog) query.backlog = this.backlog;
    this.onState(this.cursor === null ? "connecting" : "reconnecting");
    let socket;
    try {
      socket = new WebSocket(wsUrl(this.path, query));
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.delay = 500;
      this.onState("live");
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = () => {
      this.socket = null;
      if (!this.closed) this.retry();
    };
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
