//! The GraphiQL playground, served from files embedded in the binary, so it works offline.

use std::hash::{DefaultHasher, Hasher as _};
use std::net::SocketAddr;
use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

/// The tab GraphiQL opens with: an example query against the real schema.
pub const DEFAULT_QUERY: &str =
    "# Welcome to agora. Run this query with Ctrl-Enter or the ▶ button;
# the Docs and GraphiQL Explorer panels on the left show the whole schema.
{
  users(limit: 5) {
    id
    name
    email
    posts(limit: 3) {
      title
      published
    }
  }
}
";

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// `(name, content type, bytes)` of `assets/graphiql/<name>`, embedded in the binary.
macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        (
            $name,
            $content_type,
            include_bytes!(concat!("../assets/graphiql/", $name)) as &[u8],
        )
    };
}

/// The vendored files (`assets/graphiql/VERSIONS` pins them), served as `/graphiql/<name>`.
const ASSETS: [(&str, &str, &[u8]); 7] = [
    asset!("react.production.min.js", JS),
    asset!("react-dom.production.min.js", JS),
    asset!("graphiql.min.js", JS),
    asset!("graphiql.min.css", CSS),
    asset!("plugin-explorer.umd.js", JS),
    asset!("plugin-explorer.css", CSS),
    asset!("graphql-ws.min.js", JS),
];

/// A fingerprint of all the assets, added to their URLs (`?v=`) so a browser may cache them
/// for a year and still fetches new ones after an update.
static FINGERPRINT: LazyLock<String> = LazyLock::new(|| {
    let mut hasher = DefaultHasher::new();
    for (name, _, bytes) in ASSETS {
        hasher.write(name.as_bytes());
        hasher.write(bytes);
    }
    format!("{:016x}", hasher.finish())
});

/// The page only loads from this server; the browser enforces it.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:";

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>agora · GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.min.css?v=FINGERPRINT">
<link rel="stylesheet" href="/graphiql/plugin-explorer.css?v=FINGERPRINT">
<style>body { margin: 0; } #graphiql { height: 100dvh; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/react.production.min.js?v=FINGERPRINT"></script>
<script src="/graphiql/react-dom.production.min.js?v=FINGERPRINT"></script>
<script src="/graphiql/graphiql.min.js?v=FINGERPRINT"></script>
<script src="/graphiql/plugin-explorer.umd.js?v=FINGERPRINT"></script>
<script src="/graphiql/graphql-ws.min.js?v=FINGERPRINT"></script>
<script>
const config = CONFIG;
ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {
    fetcher: GraphiQL.createFetcher({
      url: config.endpoint,
      // Subscriptions stream over a WebSocket (graphql-transport-ws) to this server.
      wsClient: graphqlWs.createClient({
        url: new URL(config.endpoint, location.href).href.replace(/^http/, "ws"),
        lazy: true,
      }),
    }),
    defaultQuery: config.defaultQuery,
    defaultHeaders: config.defaultHeaders,
    defaultEditorToolsVisibility: config.defaultHeaders ? "headers" : false,
    plugins: [GraphiQLPluginExplorer.explorerPlugin()],
  }),
);
</script>
</body>
</html>
"#;

/// The playground page. With `admin_secret_for_local`, the headers editor starts with
/// `Authorization: Bearer <secret>`; pass it only for a local user (see [`is_local`]).
pub fn page(admin_secret_for_local: Option<&str>) -> Response {
    let headers = admin_secret_for_local.map(|secret| {
        format!(
            r#"{{"Authorization": {}}}"#,
            json!(format!("Bearer {secret}"))
        )
    });
    let config = json!({
        "endpoint": "/graphql",
        "defaultQuery": DEFAULT_QUERY,
        "defaultHeaders": headers.unwrap_or_default(),
    });
    // `<` never appears raw inside the script, so no value can close it.
    let config = config.to_string().replace('<', "\\u003c");
    let html = PAGE
        .replace("FINGERPRINT", &FINGERPRINT)
        .replace("CONFIG", &config);
    let headers = [
        (header::CACHE_CONTROL, "no-store"),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    ];
    (headers, Html(html)).into_response()
}

/// Whether a request comes from someone using this machine: the peer is a loopback address,
/// the `Host` is a loopback name (not a DNS-rebound one), and no proxy forwarded it.
pub fn is_local(peer: Option<SocketAddr>, headers: &HeaderMap) -> bool {
    let loopback_peer = peer.is_some_and(|peer| peer.ip().to_canonical().is_loopback());
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let host_name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    let loopback_host = host_name.eq_ignore_ascii_case("localhost")
        || host_name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback());
    let forwarded = ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|name| headers.contains_key(*name));
    loopback_peer && loopback_host && !forwarded
}

/// The routes of the playground's files, `/graphiql/<file>`.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/graphiql/{file}", get(serve_asset))
}

async fn serve_asset(Path(file): Path<String>) -> Response {
    let Some(&(_, content_type, bytes)) = ASSETS.iter().find(|(name, _, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let headers = [
        (header::CONTENT_TYPE, content_type),
        // The page adds a fingerprint of the files to their URLs, so they never go stale.
        (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ];
    (headers, bytes).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|&(name, value)| {
                let name = axum::http::HeaderName::from_static(name);
                (name, HeaderValue::from_static(value))
            })
            .collect()
    }

    #[test]
    fn only_loopback_peers_with_a_loopback_host_and_no_proxy_are_local() {
        let loopback = Some(SocketAddr::from(([127, 0, 0, 1], 50000)));
        let remote = Some(SocketAddr::from(([192, 0, 2, 7], 50000)));
        for host in [
            "127.0.0.1:8000",
            "localhost:8000",
            "LOCALHOST",
            "[::1]:8000",
        ] {
            assert!(is_local(loopback, &headers(&[("host", host)])), "{host}");
        }
        let local_host = headers(&[("host", "localhost:8000")]);
        assert!(!is_local(remote, &local_host));
        assert!(!is_local(None, &local_host));
        assert!(!is_local(
            loopback,
            &headers(&[("host", "evil.example:8000")])
        ));
        assert!(!is_local(loopback, &headers(&[])));
        let proxied = headers(&[("host", "localhost"), ("x-forwarded-for", "192.0.2.7")]);
        assert!(!is_local(loopback, &proxied));
    }

    #[tokio::test]
    async fn the_page_prefills_the_secret_only_when_given() {
        async fn html(secret: Option<&str>) -> String {
            let response = page(secret);
            assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("the page");
            String::from_utf8(body.to_vec()).expect("UTF-8")
        }
        assert!(!html(None).await.contains("Bearer"));
        let html = html(Some("s</script>")).await;
        assert!(html.contains(r"Bearer s\u003c/script>"), "{html}");
        assert!(!html.contains("s</script>"), "{html}");
    }
}
