// Runs agora's subscriptions through the client libraries applications use: graphql-ws
// (graphql-transport-ws), graphql-sse (distinct connections) and subscriptions-transport-ws
// (the legacy graphql-ws protocol). Usage: node clients.mjs http://127.0.0.1:PORT/graphql
import assert from "node:assert/strict";
import { createClient as createWsClient } from "graphql-ws";
import { createClient as createSseClient } from "graphql-sse";
import subscriptionsTransportWs from "subscriptions-transport-ws";
import WebSocket from "ws";

const url = process.argv[2];
const wsUrl = url.replace(/^http/, "ws");
const base = url.replace(/\/graphql$/, "");
let emails = 0;

async function createUser(name) {
  const email = `client-${process.pid}-${emails++}@example.com`;
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: "mutation($input: CreateUserInput!) { createUser(input: $input) { id } }",
      variables: { input: { name, email, age: 30 } },
    }),
  });
  const body = await response.json();
  assert.equal(body.errors, undefined, JSON.stringify(body));
  return body.data.createUser.id;
}

/** Waits until the server counts exactly `count` active subscriptions. */
async function subscriptions(count) {
  for (let i = 0; i < 200; i++) {
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const line = metrics.split("\n").find((l) => l.startsWith("agora_live_subscriptions "));
    if (Number(line?.split(" ")[1] ?? 0) === count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never ${count} active subscriptions`);
}

/** The next value of an async iterator, within 10 s. */
async function next(iterator) {
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error("no result within 10 s")), 10_000),
  );
  const { value, done } = await Promise.race([iterator.next(), timeout]);
  assert.equal(done, false);
  return value;
}

const changes =
  "subscription($after: String) { userChanges(after: $after) { kind cursor node { id name } } }";

// graphql-ws: subscribe, receive, then resume after a cursor on a new client.
{
  const client = createWsClient({ url: wsUrl, webSocketImpl: WebSocket });
  const live = client.iterate({ query: changes });
  const first = next(live);
  await subscriptions(1);
  const ada = await createUser("Ada");
  const change = (await first).data.userChanges;
  assert.deepEqual([change.kind, change.node.id, change.node.name], ["CREATED", ada, "Ada"]);
  const bea = await createUser("Bea");
  assert.equal((await next(live)).data.userChanges.node.id, bea);
  await live.return();
  await client.dispose();

  const again = createWsClient({ url: wsUrl, webSocketImpl: WebSocket });
  const resumed = again.iterate({ query: changes, variables: { after: change.cursor } });
  assert.equal((await next(resumed)).data.userChanges.node.id, bea);
  // A query over the socket too.
  const query = again.iterate({ query: "{ users(limit: 1) { name } }" });
  assert.deepEqual((await next(query)).data, { users: [{ name: "Ada" }] });
  await resumed.return();
  await again.dispose();
  console.log("graphql-ws: subscription, resume after a cursor, query: ok");
}

// graphql-sse, distinct connections mode.
{
  await subscriptions(0);
  const client = createSseClient({ url });
  const live = client.iterate({ query: "subscription { userCreated { name } }" });
  const first = next(live);
  await subscriptions(1);
  await createUser("Cy");
  assert.deepEqual((await first).data, { userCreated: { name: "Cy" } });
  await live.return();
  client.dispose();
  console.log("graphql-sse: subscription: ok");
}

// subscriptions-transport-ws (legacy protocol).
{
  await subscriptions(0);
  const { SubscriptionClient } = subscriptionsTransportWs;
  const client = new SubscriptionClient(wsUrl, { reconnect: false }, WebSocket);
  const received = new Promise((resolve, reject) => {
    client
      .request({ query: "subscription { userCreated { name } }" })
      .subscribe({ next: resolve, error: reject });
  });
  await subscriptions(1);
  await createUser("Dee");
  assert.deepEqual((await received).data, { userCreated: { name: "Dee" } });
  client.close();
  console.log("subscriptions-transport-ws: subscription: ok");
}
