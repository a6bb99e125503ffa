// Runs the Relay app of src/App.js against a live agora (node app.js <graphql endpoint URL>):
// a query with fragments, a @refetchable fragment refetched through node(nodeId:), and
// @connection pagination forward over postConnection, all through relay-runtime's store.
const assert = require('node:assert/strict');
const {
  Environment,
  Network,
  RecordSource,
  Store,
  createOperationDescriptor,
  fetchQuery,
  getSingularSelector,
} = require('relay-runtime');

const AppQuery = require('./src/__generated__/AppQuery.graphql');
const AppUser = require('./src/__generated__/AppUser_user.graphql');
const AppUserPosts = require('./src/__generated__/AppUserPosts_user.graphql');
const AppUserRefetchQuery = require('./src/__generated__/AppUserRefetchQuery.graphql');
const AppPosts = require('./src/__generated__/AppPosts_query.graphql');
const AppPostsPaginationQuery = require('./src/__generated__/AppPostsPaginationQuery.graphql');

const url = process.argv[2];
if (!url) {
  console.error('usage: node app.js <graphql endpoint URL>');
  process.exit(2);
}

async function post(query, variables) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

async function main() {
  // The data, written without Relay.
  const { createUser } = await post(
    'mutation { createUser(input: { name: "Ada", email: "ada@example.com", age: 36, city: "London" }) { id } }',
  );
  for (let i = 1; i <= 5; i += 1) {
    await post(
      'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
      { input: { title: `Post number ${i}`, content: 'Twenty characters or more.', authorId: createUser.id } },
    );
  }

  const environment = new Environment({
    network: Network.create((params, variables) =>
      post(params.text, variables).then((data) => ({ data }))),
    store: new Store(new RecordSource()),
    // Records are identified by their global id, as relay-compiler's nodeInterfaceIdField says
    // (`id` is the row id, the same number in every table).
    getDataID: (fieldValue) => fieldValue.nodeId,
  });

  // A query with fragments, read through the store.
  const variables = { userId: createUser.id };
  const operation = createOperationDescriptor(AppQuery, variables);
  environment.retain(operation);
  const data = await fetchQuery(environment, AppQuery, variables).toPromise();
  const userSelector = getSingularSelector(AppUser, data.user);
  let user = environment.lookup(userSelector).data;
  assert.equal(user.name, 'Ada');
  assert.equal(user.city, 'London');
  const posts = environment.lookup(getSingularSelector(AppUserPosts, user)).data.posts;
  assert.deepEqual(posts.map((p) => p.title), [1, 2, 3, 4, 5].map((i) => `Post number ${i}`));

  // The @refetchable fragment, refetched through node(nodeId:) after a change elsewhere.
  await post(
    'mutation($id: Int!) { updateUser(id: $id, input: { city: "Paris" }) { id } }',
    { id: createUser.id },
  );
  assert.equal(typeof user.nodeId, 'string');
  await fetchQuery(environment, AppUserRefetchQuery, { nodeId: user.nodeId }).toPromise();
  user = environment.lookup(userSelector).data;
  assert.equal(user.city, 'Paris', 'the refetch updated the record the fragment reads');

  // @connection pagination forward: the second page joins the first in the store.
  const postsSelector = getSingularSelector(AppPosts, data);
  const firstPage = environment.lookup(postsSelector).data.postConnection;
  assert.deepEqual(firstPage.edges.map((e) => e.node.title), ['Post number 1', 'Post number 2']);
  assert.equal(firstPage.pageInfo.hasNextPage, true);
  await fetchQuery(environment, AppPostsPaginationQuery, {
    first: 2,
    after: firstPage.pageInfo.endCursor,
  }).toPromise();
  const twoPages = environment.lookup(postsSelector).data.postConnection;
  assert.deepEqual(
    twoPages.edges.map((e) => e.node.title),
    [1, 2, 3, 4].map((i) => `Post number ${i}`),
  );
  assert.ok(twoPages.edges.every((e) => e.node.author.name === 'Ada'));
  console.log('Relay app: query with fragments, refetch through node, and pagination all passed');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
