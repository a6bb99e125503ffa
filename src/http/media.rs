//! The media types of GraphQL over HTTP: which one a request accepts, and the executed
//! request's answer in it, with the status the specification asks for.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

/// A media type agora answers GraphQL in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaType {
    /// `application/json`: what legacy clients expect; every answer is 200.
    Json,
    /// `application/graphql-response+json`: a request that fails before execution is a 400.
    GraphqlResponse,
}

/// `application/graphql-response+json`.
const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
/// `application/json`.
const JSON: &str = "application/json";

impl MediaType {
    /// The type to answer `headers`' `Accept` in: the most preferred (highest `q`, then the
    /// first listed) of the two; `application/json` when `Accept` is absent, says `*/*` or
    /// `application/*`, or lists neither (legacy clients).
    pub fn negotiate(headers: &HeaderMap) -> Self {
        let mut best: Option<(f32, Self)> = None;
        for (essence, quality) in accepted(headers) {
            let media = match essence.as_str() {
                GRAPHQL_RESPONSE => Self::GraphqlResponse,
                JSON | "application/*" | "*/*" => Self::Json,
                _ => continue,
            };
            if best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, media));
            }
        }
        best.map_or(Self::Json, |(_, media)| media)
    }

    /// Its `Content-Type` (always UTF-8).
    pub fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::Json => "application/json; charset=utf-8",
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
        })
    }
}

/// The media ranges `headers` accept (lower-cased), with their quality, those refused (`q=0`)
/// left out.
fn accepted(headers: &HeaderMap) -> impl Iterator<Item = (String, f32)> + '_ {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|range| {
            let mut parts = range.split(';');
            let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|param| param.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
                .and_then(|(_, q)| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (quality > 0.0).then_some((essence, quality))
        })
}

/// Whether the client asks for an event stream (GraphQL over SSE): `text/event-stream` is
/// accepted, and preferred to every JSON type it lists.
pub fn wants_event_stream(headers: &HeaderMap) -> bool {
    let mut stream = None;
    let mut json: f32 = 0.0;
    for (essence, quality) in accepted(headers) {
        match essence.as_str() {
            "text/event-stream" => stream = Some(quality),
            GRAPHQL_RESPONSE | JSON => json = json.max(quality),
            _ => {}
        }
    }
    stream.is_some_and(|stream| stream >= json)
}

/// Whether `response` says the request failed before execution: no data, and no error that
/// belongs to a field (parse, validation and variable coercion errors have no path).
pub(super) fn failed_before_execution(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty())
}

/// The HTTP answer of an executed request in `media`: 200, or for
/// `application/graphql-response+json` a 400 without a `data` entry when the request failed
/// before execution; with the response's cache hints and headers.
pub fn answer(response: async_graphql::Response, media: MediaType) -> Response {
    let rejected = media == MediaType::GraphqlResponse && failed_before_execution(&response);
    let body = if rejected {
        serde_json::to_string(&serde_json::json!({ "errors": response.errors }))
    } else {
        serde_json::to_string(&response)
    };
    let mut answer = Response::new(Body::from(body.unwrap_or_else(|_| {
        r#"{"errors":[{"message":"Internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}"#.to_owned()
    })));
    if rejected {
        *answer.status_mut() = StatusCode::BAD_REQUEST;
    }
    let headers = answer.headers_mut();
    headers.insert(header::CONTENT_TYPE, media.content_type());
    if response.is_ok()
        && let Some(value) = response.cache_control.value()
        && let Ok(value) = HeaderValue::from_str(&value)
    {
        headers.insert(header::CACHE_CONTROL, value);
    }
    headers.extend(response.http_headers);
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepting(accept: Option<&str>) -> MediaType {
        let mut headers = HeaderMap::new();
        if let Some(accept) = accept {
            headers.insert(
                header::ACCEPT,
                HeaderValue::from_str(accept).expect("a header"),
            );
        }
        MediaType::negotiate(&headers)
    }

    #[test]
    fn the_answer_is_in_a_type_the_request_accepts() {
        use MediaType::{GraphqlResponse, Json};
        for (accept, media) in [
            (None, Json),
            (Some("*/*"), Json),
            (Some("application/json"), Json),
            (Some("application/graphql-response+json"), GraphqlResponse),
            (
                Some("application/graphql-response+json, application/json"),
                GraphqlResponse,
            ),
            (
                Some("application/json, application/graphql-response+json"),
                Json,
            ),
            (
                Some("application/json;q=0.9, application/graphql-response+json"),
                GraphqlResponse,
            ),
            (
                Some("application/graphql-response+json;q=0, application/json"),
                Json,
            ),
            (
                Some("Application/GraphQL-Response+JSON; charset=utf-8"),
                GraphqlResponse,
            ),
            (Some("text/html"), Json),
        ] {
            assert_eq!(accepting(accept), media, "{accept:?}");
        }
    }
}
