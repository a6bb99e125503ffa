//! The GraphiQL playground in a real browser: headless Chromium, driven over WebDriver by
//! `chromedriver`, loads `/graphql` from an in-process agora, types a query, runs it and shows
//! the data, without loading anything from anywhere but agora.
//!
//! Needs Debian's `chromium` and `chromium-driver`; without them the test is skipped with a
//! notice, unless `AGORA_TEST_REQUIRE_BROWSER=1` (CI), which makes that a failure. The
//! screenshot is saved as `target/browser-artifacts/graphiql.png`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use agora::HttpSettings;
use agora::application::{Application, Setup};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// Set to `1` to make a missing browser a test failure (CI does).
const REQUIRE_BROWSER_VAR: &str = "AGORA_TEST_REQUIRE_BROWSER";
const ADMIN_SECRET: &str = "browser-test-secret";

/// Writes straight to stderr, past the test harness's output capture.
fn shout(message: &str) {
    let _ = std::io::stderr().write_all(format!("{message}\n").as_bytes());
}

/// The first of `names` found on `PATH`.
fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// A child process killed when dropped (also when the test fails).
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn graphiql_runs_a_query_offline_in_chromium() {
    let started = Instant::now();
    let chromium = find_program(&["chromium", "chromium-browser"]);
    let chromedriver = find_program(&["chromedriver"]);
    let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
        let message = "chromium and chromedriver are needed \
                       (apt-get install -y chromium chromium-driver)";
        if std::env::var(REQUIRE_BROWSER_VAR).as_deref() == Ok("1") {
            panic!("{message}, and {REQUIRE_BROWSER_VAR}=1");
        }
        shout(&format!(
            "\n!!! SKIPPED the GraphiQL browser test: {message}; \
             set {REQUIRE_BROWSER_VAR}=1 to make this a failure\n"
        ));
        return;
    };

    // agora on a fresh SQLite database, with an admin secret, served the way `agora serve` does.
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    let setup = Setup {
        http: HttpSettings {
            admin_secret: Some(ADMIN_SECRET.to_owned()),
            ..HttpSettings::default()
        },
        timeouts: agora::server::ServerTimeouts {
            grace: Duration::from_secs(1),
            ..agora::server::ServerTimeouts::default()
        },
        ..Setup::local(url)
    };
    let application = Application::build(setup).await.expect("build agora");
    let address = format!("http://{}", application.address());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(application.serve_until(async {
        let _ = stopped.await;
    }));

    let seeded = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .bearer_auth(ADMIN_SECRET)
        .json(
            &json!({ "query": r#"mutation { createUser(input: { name: "Grace Hopper",
            email: "grace@example.com", age: 85, city: "Arlington" }) { id } }"# }),
        )
        .send()
        .await
        .expect("seed")
        .json::<Value>()
        .await
        .expect("seed response");
    assert_eq!(seeded["data"]["createUser"]["id"], json!(1), "{seeded}");

    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        probe.local_addr().expect("address").port()
    };
    let _driver = KillOnDrop(
        Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let profile = tempfile::tempdir().expect("temp dir");
    let capabilities: serde_json::Map<_, _> =
        serde_json::from_value(json!({ "goog:chromeOptions": {
        "binary": chromium,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--window-size=1400,900",
            format!("--user-data-dir={}", profile.path().display()),
            // Offline: no host name resolves, so nothing but agora (on 127.0.0.1) is reachable.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        ],
    }, "goog:loggingPrefs": { "performance": "ALL" } }))
        .expect("capabilities are a JSON object");
    let driver_url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    let browser = loop {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&driver_url)
            .await
        {
            Ok(browser) => break browser,
            Err(err) if Instant::now() > deadline => panic!("cannot start Chromium: {err}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };

    let outcome = drive(&browser, &address).await;
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-artifacts");
    std::fs::create_dir_all(&artifacts).expect("create target/browser-artifacts");
    let screenshot = artifacts.join("graphiql.png");
    let png = browser.screenshot().await.expect("screenshot");
    std::fs::write(&screenshot, png).expect("save the screenshot");
    let requested = requested_urls(&browser, &driver_url, &address).await;
    let _ = browser.close().await;
    let _ = stop.send(());
    let _ = server.await;
    outcome.unwrap_or_else(|err| panic!("{err} (screenshot: {})", screenshot.display()));

    // Everything the page asked for (whether it loaded, failed or was blocked) came from agora.
    let (requested, resources) = requested.expect("the page's requests");
    for url in requested.iter().chain(&resources) {
        assert!(
            url.starts_with(&format!("{address}/")),
            "the page requested {url}, which is not agora ({address}); \
             all: {requested:#?} {resources:#?}"
        );
    }
    let assets = resources.iter().filter(|url| url.contains("/graphiql/"));
    assert_eq!(
        assets.count(),
        7,
        "the seven vendored files: {resources:#?}"
    );
    shout(&format!(
        "GraphiQL browser test passed in {:.1?}; screenshot: {}",
        started.elapsed(),
        screenshot.display()
    ));
}

/// The URLs the page at `address` requested, from Chromium's network log (every request, also
/// failed and blocked ones), and from the page's own resource timing entries; without the
/// `data:` URLs (GraphiQL's CSS inlines its fonts and icons), which never leave the browser.
async fn requested_urls(
    browser: &Client,
    driver_url: &str,
    address: &str,
) -> Result<(Vec<String>, Vec<String>), String> {
    let session = browser.session_id().await.map_err(|err| err.to_string())?;
    let log: Value = reqwest::Client::new()
        .post(format!(
            "{driver_url}/session/{}/se/log",
            session.unwrap_or_default()
        ))
        .json(&json!({ "type": "performance" }))
        .send()
        .await
        .map_err(|err| err.to_string())?
        .json()
        .await
        .map_err(|err| err.to_string())?;
    let mut requested = Vec::new();
    for entry in log["value"].as_array().ok_or(format!("no log: {log}"))? {
        let message: Value = serde_json::from_str(entry["message"].as_str().unwrap_or("{}"))
            .map_err(|err| err.to_string())?;
        let (method, params) = (&message["message"]["method"], &message["message"]["params"]);
        let document = params["documentURL"].as_str().unwrap_or_default();
        if method == "Network.requestWillBeSent" && document.starts_with(address) {
            requested.push(
                params["request"]["url"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
    }
    if requested.is_empty() {
        return Err(format!("the network log is empty: {log}"));
    }
    let resources = eval(
        browser,
        "[location.href].concat(performance.getEntriesByType('resource').map(e => e.name))",
    )
    .await?;
    let resources: Vec<String> =
        serde_json::from_value(resources).map_err(|err| err.to_string())?;
    let not_data = |urls: Vec<String>| urls.into_iter().filter(|url| !url.starts_with("data:"));
    Ok((not_data(requested).collect(), not_data(resources).collect()))
}

/// Evaluates `expression` in the page.
async fn eval(browser: &Client, expression: &str) -> Result<Value, String> {
    browser
        .execute(&format!("return {expression}"), vec![])
        .await
        .map_err(|err| format!("evaluating `{expression}`: {err}"))
}

/// Polls `expression` until it is truthy, for at most `limit`; returns its last value.
async fn wait_until(browser: &Client, expression: &str, limit: Duration) -> Result<Value, String> {
    let deadline = Instant::now() + limit;
    loop {
        let value = eval(browser, expression).await?;
        let truthy =
            !matches!(&value, Value::Null | Value::Bool(false)) && value.as_str() != Some("");
        if truthy {
            return Ok(value);
        }
        if Instant::now() > deadline {
            return Err(format!("still falsy after {limit:?}: `{expression}`"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The contents of the CodeMirror editor inside `selector`.
fn editor_text(selector: &str) -> String {
    format!("document.querySelector('{selector} .CodeMirror')?.CodeMirror.getValue()")
}

/// Opens the playground, checks its default tab and headers, types a query, runs it and
/// waits for the seeded user in the result pane.
async fn drive(browser: &Client, address: &str) -> Result<(), String> {
    let wait = Duration::from_secs(30);
    browser
        .goto(&format!("{address}/graphql"))
        .await
        .map_err(|err| format!("opening the playground: {err}"))?;
    let default_query = wait_until(browser, &editor_text(".graphiql-query-editor"), wait).await?;
    let default_query = default_query.as_str().unwrap_or_default();
    if !default_query.contains("users(limit: 5)") {
        return Err(format!("unexpected default tab: {default_query}"));
    }
    // Opened from 127.0.0.1 with an admin secret set: the headers editor is pre-filled.
    let headers = eval(
        browser,
        "[...document.querySelectorAll('.CodeMirror')].map(e => e.CodeMirror.getValue())",
    )
    .await?;
    let bearer = format!("Bearer {ADMIN_SECRET}");
    if !headers.to_string().contains(&bearer) {
        return Err(format!("no `{bearer}` in any editor: {headers}"));
    }

    // Type a query over the default one, as a user would.
    let editor = browser
        .find(Locator::Css(".graphiql-query-editor .CodeMirror"))
        .await
        .map_err(|err| format!("finding the query editor: {err}"))?;
    editor
        .click()
        .await
        .map_err(|err| format!("clicking the query editor: {err}"))?;
    eval(
        browser,
        "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.execCommand('selectAll')",
    )
    .await?;
    let input = browser
        .find(Locator::Css(".graphiql-query-editor .CodeMirror textarea"))
        .await
        .map_err(|err| format!("finding the query editor's input: {err}"))?;
    let query = "{ user(id: 1) { name email city } }";
    input
        .send_keys(query)
        .await
        .map_err(|err| format!("typing the query: {err}"))?;
    let typed = eval(browser, &editor_text(".graphiql-query-editor")).await?;
    if typed != json!(query) {
        return Err(format!("the editor holds {typed} after typing {query:?}"));
    }

    run(browser).await?;
    let response = editor_text(".graphiql-response");
    let result = wait_until(
        browser,
        &format!("/\"(data|errors)\"/.test({response} || '') && {response}"),
        wait,
    )
    .await?;
    let result = result.as_str().unwrap_or_default();
    let shown: Value =
        serde_json::from_str(result).map_err(|err| format!("result pane {result:?}: {err}"))?;
    let expected = json!({ "data": { "user": {
        "name": "Grace Hopper", "email": "grace@example.com", "city": "Arlington",
    } } });
    if shown != expected {
        return Err(format!("the result pane shows {shown}, not {expected}"));
    }
    // The explorer plugin works with this GraphiQL: it lists the schema's query fields.
    browser
        .find(Locator::Css("button[aria-label='Show GraphiQL Explorer']"))
        .await
        .map_err(|err| format!("finding the explorer button: {err}"))?
        .click()
        .await
        .map_err(|err| format!("opening the explorer: {err}"))?;
    wait_until(
        browser,
        "document.querySelector('.graphiql-explorer-root')?.textContent.includes('userConnection')",
        wait,
    )
    .await?;
    // The pane is visible on the page, not only held by the editor.
    browser
        .find(Locator::XPath(
            "//section[contains(@class, 'result-window')]//*[contains(text(), 'grace@example.com')]",
        ))
        .await
        .map_err(|err| format!("the result is not visible: {err}"))?;
    run_a_subscription(browser, address).await
}

/// Clicks the playground's run button.
async fn run(browser: &Client) -> Result<(), String> {
    browser
        .find(Locator::Css(".graphiql-execute-button"))
        .await
        .map_err(|err| format!("finding the run button: {err}"))?
        .click()
        .await
        .map_err(|err| format!("clicking the run button: {err}"))
}

/// Runs a subscription in the playground, creates a user over HTTP, and waits for it in the
/// result pane (GraphiQL streams it over a WebSocket).
async fn run_a_subscription(browser: &Client, address: &str) -> Result<(), String> {
    let wait = Duration::from_secs(30);
    eval(
        browser,
        "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror\
         .setValue('subscription { userCreated { name } }')",
    )
    .await?;
    // GraphiQL parses the editor's text a moment after a change, and picks the transport
    // from what it parsed.
    tokio::time::sleep(Duration::from_secs(1)).await;
    run(browser).await?;
    // Wait for the socket's subscription to be active before writing.
    let metrics_shows_one = || async {
        let metrics = reqwest::get(format!("{address}/metrics"))
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|err| format!("reading /metrics: {err}"))?
            .text()
            .await
            .map_err(|err| format!("reading /metrics: {err}"))?;
        Ok::<bool, String>(
            metrics
                .lines()
                .any(|line| line == "agora_live_subscriptions 1"),
        )
    };
    let deadline = Instant::now() + wait;
    while !metrics_shows_one().await? {
        if Instant::now() > deadline {
            return Err("the playground's subscription never became active".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let created = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .bearer_auth(ADMIN_SECRET)
        .json(&json!({ "query": "mutation { createUser(input: { name: \"Ada Lovelace\", email: \"ada@example.com\", age: 36 }) { id } }" }))
        .send()
        .await
        .map_err(|err| format!("creating a user: {err}"))?;
    if !created.status().is_success() {
        return Err(format!("creating a user: {}", created.status()));
    }
    let response = editor_text(".graphiql-response");
    wait_until(
        browser,
        &format!("({response} || '').includes('Ada Lovelace')"),
        wait,
    )
    .await
    .map_err(|err| format!("the subscription's result never showed: {err}"))?;
    Ok(())
}
