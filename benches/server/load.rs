//! A load client for a running paraph-server (see `benches/server/README.md`;
//! `benches/server/run.sh` builds and runs it). Not a test: a measurement.
//!
//! Each connection is a task with its own keep-alive HTTP/1.1 connection,
//! looping over one operation for the given time:
//!
//! - `create-send`: `POST /envelopes` (the uploaded document by id, N
//!   recipients) then `POST /envelopes/{id}/send`; one operation is the
//!   pair, its latency the pair's.
//! - `sign`: the completion-heavy mix: create and send an envelope with two
//!   signers in sequence, then each signer consents and signs through their
//!   link (a PAdES revision under a certificate issued for them; the second
//!   signature also finalizes and seals the audit trail). Operations are
//!   the signatures; latencies are those of the sign requests.
//!
//! Prints one JSON line per run: operations per second, p50/p99/max in
//! milliseconds, errors, and the server's peak and current RSS when its pid
//! is given.

// A measurement tool: a failed setup step should stop it loudly.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Scenario {
    /// Create then send.
    CreateSend,
    /// Two signers through their links, completion included.
    Sign,
}

#[derive(Debug, Parser)]
struct Args {
    /// The server (`http://127.0.0.1:8080`).
    #[arg(long)]
    base: String,
    /// An API key with every scope.
    #[arg(long)]
    key: String,
    /// What each connection does.
    #[arg(long, value_enum)]
    scenario: Scenario,
    /// Concurrent connections.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Seconds of load.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// The PDF to upload once and use in every envelope.
    #[arg(long)]
    pdf: PathBuf,
    /// Recipients per envelope (`create-send`).
    #[arg(long, default_value_t = 1)]
    recipients: usize,
    /// The server's pid, to read its RSS.
    #[arg(long)]
    server_pid: Option<u32>,
    /// A label for the output line.
    #[arg(long, default_value = "")]
    label: String,
}

#[derive(Debug)]
struct Http {
    client: reqwest::Client,
    base: String,
    key: String,
}

impl Http {
    fn new(base: &str, key: &str) -> Self {
        Self {
            client: reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .timeout(Duration::from_secs(120))
                .build()
                .expect("an HTTP client"),
            base: base.trim_end_matches('/').to_owned(),
            key: key.to_owned(),
        }
    }

    async fn post(&self, path: &str, body: Option<&Value>, auth: bool) -> Result<Value, String> {
        let mut request = self.client.post(format!("{}/api/v1{path}", self.base));
        if auth {
            request = request.header("authorization", format!("Bearer {}", self.key));
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("{status}: {}", String::from_utf8_lossy(&bytes)));
        }
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    }
}

fn recipients(n: usize, sequential: bool) -> Value {
    Value::Array(
        (0..n)
            .map(|i| {
                json!({
                    "email": format!("signer{i}@example.com"),
                    "name": format!("Signer Number{i}"),
                    "routingOrder": if sequential { i + 1 } else { 1 },
                })
            })
            .collect(),
    )
}

async fn create_send(http: &Http, doc: &str, n: usize) -> Result<Value, String> {
    let body = json!({"subject": "Load", "documentIds": [doc], "recipients": recipients(n, false)});
    let created = http.post("/envelopes", Some(&body), true).await?;
    let id = created["id"].as_str().ok_or("no id")?;
    http.post(&format!("/envelopes/{id}/send"), None, true)
        .await
}

/// One envelope through two signers; the latency of each sign request.
async fn two_signatures(http: &Http, doc: &str) -> Result<Vec<Duration>, String> {
    let body = json!({"subject": "Load", "documentIds": [doc], "recipients": recipients(2, true)});
    let created = http.post("/envelopes", Some(&body), true).await?;
    let id = created["id"].as_str().ok_or("no id")?;
    let sent = http
        .post(&format!("/envelopes/{id}/send"), None, true)
        .await?;
    let mut latencies = Vec::new();
    for i in 0..2 {
        let token = sent["recipients"][i]["accessToken"]
            .as_str()
            .ok_or("no token")?;
        http.post(&format!("/sign/{token}/consent"), None, false)
            .await?;
        let sign = json!({"signature": {"type": "TYPED", "text": format!("Signer Number{i}")}});
        let t = Instant::now();
        let signed = http
            .post(&format!("/sign/{token}/sign"), Some(&sign), false)
            .await?;
        latencies.push(t.elapsed());
        let want = if i == 0 { "SENT" } else { "COMPLETED" };
        if signed["status"] != want {
            return Err(format!("after signature {i}: {}", signed["status"]));
        }
    }
    Ok(latencies)
}

fn rss_kb(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

/// CPU seconds (user + system) a process has used so far.
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // Linux reports in clock ticks of 1/100 s (USER_HZ) on every common platform.
    Some(ticks / 100.0)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let setup = Http::new(&args.base, &args.key);
    let pdf = std::fs::read(&args.pdf).expect("the PDF reads");
    let upload = setup
        .client
        .post(format!("{}/api/v1/documents", setup.base))
        .header("authorization", format!("Bearer {}", args.key))
        .header("content-type", "application/pdf")
        .body(pdf)
        .send()
        .await
        .expect("the upload answers");
    assert!(upload.status().is_success(), "upload: {}", upload.status());
    let doc: Value = serde_json::from_slice(&upload.bytes().await.unwrap()).unwrap();
    let doc = doc["id"].as_str().expect("a document id").to_owned();
    let pages = doc_pages(&setup, &doc).await;

    // One operation first, outside the measurement (connections, caches).
    match args.scenario {
        Scenario::CreateSend => {
            create_send(&setup, &doc, args.recipients)
                .await
                .expect("a first create+send");
        }
        Scenario::Sign => {
            two_signatures(&setup, &doc)
                .await
                .expect("a first pair of signatures");
        }
    }

    let server_cpu = args.server_pid.and_then(|p| cpu_seconds(&p.to_string()));
    let client_cpu = cpu_seconds("self");
    let end = Instant::now() + Duration::from_secs_f64(args.seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..args.connections)
        .map(|_| {
            let http = Http::new(&args.base, &args.key);
            let doc = doc.clone();
            let (scenario, n) = (args.scenario, args.recipients);
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = Vec::new();
                while Instant::now() < end {
                    match scenario {
                        Scenario::CreateSend => {
                            let t = Instant::now();
                            match create_send(&http, &doc, n).await {
                                Ok(_) => latencies.push(t.elapsed()),
                                Err(e) => errors.push(e),
                            }
                        }
                        Scenario::Sign => match two_signatures(&http, &doc).await {
                            Ok(l) => latencies.extend(l),
                            Err(e) => errors.push(e),
                        },
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    for task in tasks {
        let (l, e) = task.await.expect("a load task");
        latencies.extend(l);
        errors.extend(e);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let per_op = |before: Option<f64>, pid: &str| {
        let used = cpu_seconds(pid)? - before?;
        (!latencies.is_empty()).then(|| used * 1000.0 / latencies.len() as f64)
    };
    let server_cpu_ms = per_op(server_cpu, &args.server_pid.unwrap_or(0).to_string());
    let client_cpu_ms = per_op(client_cpu, "self");
    latencies.sort();
    let rss = args.server_pid.and_then(rss_kb);
    let line = json!({
        "label": args.label,
        "scenario": format!("{:?}", args.scenario),
        "connections": args.connections,
        "recipients": match args.scenario { Scenario::CreateSend => args.recipients, Scenario::Sign => 2 },
        "pages": pages,
        "seconds": elapsed,
        "operations": latencies.len(),
        "perSecond": latencies.len() as f64 / elapsed,
        "p50Ms": percentile(&latencies, 50.0),
        "p99Ms": percentile(&latencies, 99.0),
        "maxMs": latencies.last().map(|d| d.as_secs_f64() * 1000.0),
        "serverCpuMsPerOp": server_cpu_ms,
        "clientCpuMsPerOp": client_cpu_ms,
        "errors": errors.len(),
        "firstError": errors.first(),
        "serverPeakRssMb": rss.map(|(hwm, _)| hwm as f64 / 1024.0),
        "serverRssMb": rss.map(|(_, now)| now as f64 / 1024.0),
    });
    println!("{line}");
}

async fn doc_pages(http: &Http, id: &str) -> u64 {
    let response = http
        .client
        .get(format!("{}/api/v1/documents/{id}", http.base))
        .header("authorization", format!("Bearer {}", http.key))
        .send()
        .await
        .expect("the document answers");
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    body["pages"].as_u64().unwrap_or(0)
}
