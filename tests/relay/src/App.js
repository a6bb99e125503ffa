// The documents of the app. relay-compiler finds them by their `graphql` tag and writes their
// artifacts to __generated__/; at run time app.js loads those artifacts (no Babel needed).
const graphql = String.raw;

graphql`
  query AppQuery($userId: Int!) {
    user(id: $userId) {
      ...AppUser_user
    }
    ...AppPosts_query
  }
`;

graphql`
  fragment AppUser_user on User @refetchable(queryName: "AppUserRefetchQuery") {
    name
    city
    ...AppUserPosts_user
  }
`;

graphql`
  fragment AppUserPosts_user on User {
    posts(limit: 5) {
      title
    }
  }
`;

graphql`
  fragment AppPosts_query on Query
  @refetchable(queryName: "AppPostsPaginationQuery")
  @argumentDefinitions(first: { type: "Int", defaultValue: 2 }, after: { type: "String" }) {
    postConnection(first: $first, after: $after) @connection(key: "AppPosts_postConnection") {
      edges {
        node {
          title
          author {
            name
          }
        }
      }
    }
  }
`;
