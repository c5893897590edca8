//! API keys: their format, how they are stored and checked, scopes, and the
//! middleware that authenticates and rate-limits every API request.
//!
//! A key reads `sk_live_` or `sk_test_`, then 12 base62 characters of
//! public id (how the key is found), 32 of secret (190 bits), and 6 of a
//! CRC-32 of everything before them, so that malformed or mistyped keys are
//! refused without a database read and secret scanners can check a
//! candidate offline (GitHub's token format). `ck_live_`/`ck_test_` are
//! accepted as spellings of the same keys (an older public API used them).
//!
//! Only the SHA-256 of a key is stored. A plain hash is enough here, unlike
//! for passwords: the secret part is 190 random bits, so there is nothing
//! for a slow hash (bcrypt, Argon2) to protect against dictionary attacks,
//! and checking stays cheap on every request. The stored hash is compared
//! in constant time.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::HeaderValue;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use paraph::ErrorCode;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::AppError;
use crate::ids::{base62_fixed, is_base62, random_base62};
use crate::ratelimit::Decision;
use crate::state::AppState;
use crate::store::{ApiKeyRecord, Tenant};

/// Reads envelopes and documents.
pub const SCOPE_ENVELOPES_READ: &str = "envelopes:read";
/// Creates, changes and deletes envelopes and documents.
pub const SCOPE_ENVELOPES_WRITE: &str = "envelopes:write";
/// Manages webhook endpoints.
pub const SCOPE_WEBHOOKS_WRITE: &str = "webhooks:write";
/// Every scope; a key that holds them all may also manage keys.
pub const ALL_SCOPES: [&str; 3] = [
    SCOPE_ENVELOPES_READ,
    SCOPE_ENVELOPES_WRITE,
    SCOPE_WEBHOOKS_WRITE,
];

const PUBLIC_ID_LEN: usize = 12;
const SECRET_LEN: usize = 32;
const CHECKSUM_LEN: usize = 6;
const BODY_LEN: usize = PUBLIC_ID_LEN + SECRET_LEN + CHECKSUM_LEN;
const PREFIX_LEN: usize = "sk_live_".len();

/// A freshly made key: the text to show once, and what to store.
#[derive(Debug)]
pub struct NewKey {
    /// The key, shown once and never stored.
    pub key: String,
    /// The public id embedded in it.
    pub public_id: String,
    /// SHA-256 of the key, lower-case hex.
    pub hash: String,
    /// The last four characters.
    pub last4: String,
}

/// Makes a new key for live or test mode.
pub fn generate_key(livemode: bool) -> Result<NewKey, AppError> {
    let prefix = if livemode { "sk_live_" } else { "sk_test_" };
    let public_id = random_base62(PUBLIC_ID_LEN)?;
    let secret = random_base62(SECRET_LEN)?;
    let unchecked = format!("{prefix}{public_id}{secret}");
    let key = format!(
        "{unchecked}{}",
        base62_fixed(
            u64::from(crc32fast::hash(unchecked.as_bytes())),
            CHECKSUM_LEN
        )
    );
    Ok(NewKey {
        hash: hash_key(&key),
        last4: key[key.len() - 4..].to_owned(),
        public_id,
        key,
    })
}

/// Lower-case hex SHA-256 of a key in its `sk_` spelling.
pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// A key that has the right shape and checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedKey {
    /// The key in its `sk_` spelling.
    pub normalized: String,
    /// Live or test.
    pub livemode: bool,
    /// The public id.
    pub public_id: String,
}

/// Checks a key's shape and checksum; `None` when it is not a key.
pub fn parse_key(text: &str) -> Option<ParsedKey> {
    let (livemode, body) = if let Some(body) = text
        .strip_prefix("sk_live_")
        .or_else(|| text.strip_prefix("ck_live_"))
    {
        (true, body)
    } else {
        let body = text
            .strip_prefix("sk_test_")
            .or_else(|| text.strip_prefix("ck_test_"))?;
        (false, body)
    };
    if body.len() != BODY_LEN || !is_base62(body) {
        return None;
    }
    let normalized = format!("{}{body}", if livemode { "sk_live_" } else { "sk_test_" });
    let (unchecked, checksum) = normalized.split_at(PREFIX_LEN + PUBLIC_ID_LEN + SECRET_LEN);
    let expected = base62_fixed(
        u64::from(crc32fast::hash(unchecked.as_bytes())),
        CHECKSUM_LEN,
    );
    if !bool::from(expected.as_bytes().ct_eq(checksum.as_bytes())) {
        return None;
    }
    Some(ParsedKey {
        livemode,
        public_id: body[..PUBLIC_ID_LEN].to_owned(),
        normalized,
    })
}

/// The caller of an authenticated request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The key's id (`key_…`), recorded as the actor of envelope events.
    pub key_id: String,
    /// Whose data the request sees.
    pub tenant: Tenant,
    /// Scopes of the key.
    pub scopes: Vec<String>,
    /// The client's address, when known.
    pub ip: Option<String>,
    /// The client's user agent, when given.
    pub user_agent: Option<String>,
}

impl Principal {
    /// `INSUFFICIENT_SCOPE` unless the key has `scope`.
    pub fn require(&self, scope: &str) -> Result<(), AppError> {
        if self.scopes.iter().any(|s| s == scope) {
            Ok(())
        } else {
            Err(AppError::new(
                ErrorCode::InsufficientScope,
                format!("Insufficient scope: {scope} required"),
            ))
        }
    }

    /// Key management needs a key that holds every scope.
    pub fn require_all(&self) -> Result<(), AppError> {
        for scope in ALL_SCOPES {
            self.require(scope)?;
        }
        Ok(())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Principal>().cloned().ok_or_else(|| {
            AppError::internal(
                ErrorCode::Internal,
                "a route that needs a principal was mounted without the auth middleware",
            )
        })
    }
}

/// The key in an `Authorization` header: `Bearer <key>` or the bare key.
fn key_from_header(value: &HeaderValue) -> Option<&str> {
    let text = value.to_str().ok()?.trim();
    let key = match text.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        Some(_) => return None,
        None if text.eq_ignore_ascii_case("bearer") => return None,
        None => text,
    };
    (!key.is_empty()).then_some(key)
}

fn unauthenticated() -> AppError {
    AppError::new(
        ErrorCode::Unauthenticated,
        "missing or invalid API key: send Authorization: Bearer sk_live_… or sk_test_…",
    )
}

/// Finds the key of a request; errors are 401s.
async fn authenticate(state: &AppState, parts: &Parts) -> Result<ApiKeyRecord, AppError> {
    let header = parts
        .headers
        .get(AUTHORIZATION)
        .ok_or_else(unauthenticated)?;
    let parsed = key_from_header(header)
        .and_then(parse_key)
        .ok_or_else(unauthenticated)?;
    let record = state
        .store()
        .key_by_public_id(&parsed.public_id)
        .await?
        .ok_or_else(unauthenticated)?;
    let presented = hash_key(&parsed.normalized);
    let matches: bool = presented
        .as_bytes()
        .ct_eq(record.key_hash.as_bytes())
        .into();
    if !matches || record.livemode != parsed.livemode {
        return Err(unauthenticated());
    }
    if record.revoked_at.is_some() {
        return Err(AppError::new(
            ErrorCode::ApiKeyRevoked,
            "this API key has been revoked",
        ));
    }
    Ok(record)
}

/// The client's address: the socket's peer (proxies are not trusted).
fn client_ip(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// Authenticates the API key, applies the key's rate limit, and puts the
/// [`Principal`] in the request's extensions. Failed authentications are
/// rate-limited per client address, so that guessing keys is slow too.
pub async fn require_api_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let ip = client_ip(&parts);
    let record = match authenticate(&state, &parts).await {
        Ok(record) => record,
        Err(err) => {
            if err.code() == ErrorCode::StorageUnavailable || err.status().is_server_error() {
                return err.into_response();
            }
            if let Decision::Limited { .. } = state.limits().check_failure(ip) {
                return state.limits().limited_response(None);
            }
            return err.into_response();
        }
    };
    let decision = state.limits().check_key(&record.id);
    if let Decision::Limited { .. } = decision {
        return state.limits().limited_response(Some(decision));
    }
    let user_agent = parts
        .headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(512).collect());
    let principal = Principal {
        key_id: record.id,
        tenant: Tenant {
            account_id: record.account_id,
            livemode: record.livemode,
        },
        scopes: record.scopes,
        ip: ip.map(|ip| ip.to_string()),
        user_agent,
    };
    let mut request = Request::from_parts(parts, body);
    request.extensions_mut().insert(principal);
    let mut response = next.run(request).await;
    state
        .limits()
        .add_headers(response.headers_mut(), &decision);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_back() {
        for livemode in [true, false] {
            let new = generate_key(livemode).unwrap();
            assert!(
                new.key
                    .starts_with(if livemode { "sk_live_" } else { "sk_test_" })
            );
            assert_eq!(new.key.len(), PREFIX_LEN + BODY_LEN);
            let parsed = parse_key(&new.key).unwrap();
            assert_eq!(parsed.livemode, livemode);
            assert_eq!(parsed.public_id, new.public_id);
            assert_eq!(hash_key(&parsed.normalized), new.hash);
        }
    }

    #[test]
    fn a_mistyped_key_fails_its_checksum() {
        let new = generate_key(true).unwrap();
        let mut bytes = new.key.into_bytes();
        let i = PREFIX_LEN + 20;
        bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
        let typo = String::from_utf8(bytes).unwrap();
        assert_eq!(parse_key(&typo), None);
    }

    #[test]
    fn wrong_prefixes_and_shapes_are_not_keys() {
        let new = generate_key(false).unwrap();
        let body = &new.key[PREFIX_LEN..];
        assert_eq!(parse_key(&format!("pk_test_{body}")), None);
        assert_eq!(parse_key(&format!("sk_prod_{body}")), None);
        assert_eq!(parse_key(&new.key[..new.key.len() - 1]), None);
        assert_eq!(
            parse_key(&format!("{}!", &new.key[..new.key.len() - 1])),
            None
        );
        assert_eq!(parse_key(""), None);
        // The ck_ spelling is the same key.
        let alias = parse_key(&format!("ck_test_{body}")).unwrap();
        assert_eq!(alias.normalized, new.key);
    }

    #[test]
    fn bearer_and_bare_keys_are_read() {
        let v = |s: &'static str| HeaderValue::from_static(s);
        assert_eq!(key_from_header(&v("Bearer sk_x")), Some("sk_x"));
        assert_eq!(key_from_header(&v("bearer   sk_x ")), Some("sk_x"));
        assert_eq!(key_from_header(&v("sk_x")), Some("sk_x"));
        assert_eq!(key_from_header(&v("Basic abc")), None);
        assert_eq!(key_from_header(&v("Bearer ")), None);
    }
}
