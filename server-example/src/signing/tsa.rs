//! The server's RFC 3161 time-stamp authority (`--tsa-url`): the I/O the
//! core's [`TimestampAuthority`] leaves to its caller. With one, completed
//! envelopes are archives (PAdES B-LTA, see [`Archive`]).

use std::time::Duration;

use paraph::pades::{MAX_TIMESTAMP_RESPONSE_LEN, TimestampAuthority};
use paraph::{Error, ErrorCode};

/// A TSA over HTTP (RFC 3161 §3.4): a POST of the DER request with
/// `Content-Type: application/timestamp-query`, the DER response back.
#[derive(Debug, Clone)]
pub struct HttpTsa {
    url: String,
    client: reqwest::Client,
}

impl HttpTsa {
    /// A client for the TSA at `url` (30 s per request, no redirects:
    /// the operator names the TSA, nothing is followed elsewhere).
    pub fn new(url: &str) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::new(ErrorCode::Internal, format!("no HTTP client: {e}")))?;
        Ok(Self {
            url: url.to_owned(),
            client,
        })
    }

    /// The TSA's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    async fn post(&self, request: &[u8]) -> Result<Vec<u8>, String> {
        let mut response = self
            .client
            .post(&self.url)
            .header("Content-Type", "application/timestamp-query")
            .body(request.to_vec())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("it answered {}", response.status()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_TIMESTAMP_RESPONSE_LEN {
                return Err(format!(
                    "its response is larger than {MAX_TIMESTAMP_RESPONSE_LEN} bytes"
                ));
            }
        }
        Ok(body)
    }
}

impl TimestampAuthority for HttpTsa {
    /// Called from the blocking pool (signing runs there, see
    /// [`crate::cpu`]), where the runtime can be entered to wait.
    fn timestamp(&self, request: &[u8]) -> Result<Vec<u8>, Error> {
        let failed = |why: String| {
            Error::new(
                ErrorCode::TimestampInvalid,
                format!("the time-stamp request to {} failed: {why}", self.url),
            )
        };
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|e| failed(format!("no runtime to wait on: {e}")))?;
        runtime.block_on(self.post(request)).map_err(failed)
    }
}

/// How completed envelopes are archived: the seals and the audit trail
/// time-stamped (B-T), the platform's CA certificates in each document's
/// Document Security Store, then a document time-stamp (B-LTA). The
/// platform's certificates name no revocation service, so the DSS needs
/// no OCSP response or CRL.
#[derive(Debug, Clone)]
pub struct Archive {
    /// The TSA of the time-stamps.
    pub tsa: HttpTsa,
}
