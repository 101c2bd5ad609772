// GraphQL subscriptions from the gateway on this same origin, over a WebSocket speaking the
// graphql-transport-ws protocol: connection_init / connection_ack, then subscribe; the gateway
// answers with next, error or complete, and pings that are answered with pong.

import { ApiError } from "/static/api.js";

const PROTOCOL = "graphql-transport-ws";
const OPERATION = "1"; // one subscription per socket

/**
 * Run one subscription: `onNext(data)` for each result, then `onEnd(error)` once, with null when
 * the gateway completed it or an ApiError when it refused it or the connection was lost.
 * Returns `close()`, which ends it (telling the gateway) without calling `onEnd`.
 */
export function subscribe(query, variables, { onNext, onEnd }) {
  const url = new URL("/graphql", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(url, PROTOCOL);
  let ended = false;

  const send = (message) => socket.send(JSON.stringify(message));
  const finish = (error) => {
    if (ended) return;
    ended = true;
    socket.close(1000);
    onEnd(error);
  };
  const refusal = (errors) => new ApiError(errors.map((e) => e.message).join(" ") || "The directory refused this.");

  socket.addEventListener("open", () => send({ type: "connection_init", payload: {} }));
  socket.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      finish(new ApiError("The directory sent something unreadable."));
      return;
    }
    if (message.type === "connection_ack") send({ id: OPERATION, type: "subscribe", payload: { query, variables } });
    else if (message.type === "ping") send({ type: "pong" });
    else if (message.type === "next" && message.payload?.errors?.length) finish(refusal(message.payload.errors));
    else if (message.type === "next") onNext(message.payload.data);
    else if (message.type === "error") finish(refusal(message.payload || []));
    else if (message.type === "complete") finish(null);
  });
  socket.addEventListener("close", () => finish(new ApiError("The live connection to the directory was lost.")));

  return function close() {
    if (ended) return;
    ended = true;
    if (socket.readyState === WebSocket.OPEN) send({ id: OPERATION, type: "complete" });
    socket.close(1000);
  };
}
