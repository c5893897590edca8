//! Key generation and certificate issuance, checked with paraph's own
//! parsers and verifier (OpenSSL, pdfsig and pyHanko check them in
//! `tests/tests/validators.rs`).

use chrono::{DateTime, Duration, TimeZone, Utc};
use der::{Encode, Tagged};
use pkcs8::DecodePrivateKey;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAltName,
    SubjectKeyIdentifier,
};

use super::*;
use crate::pades::{Backend, KeySigner, SignOptions, VerifyOptions, parse_certificates};
use crate::pdf::testing::minimal_pdf;

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/../fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// The test PKI's intermediate CA (`rsa` or `ec`) as the platform CA, on
/// RustCrypto so that its ECDSA signatures are deterministic (RFC 6979).
fn ca(alg: &str) -> KeySigner {
    KeySigner::from_pem(
        &fixture(&format!("certs/{alg}/intermediate.key")),
        &fixture(&format!("certs/{alg}/chain.pem")),
    )
    .expect("CA")
    .with_backend(Backend::RustCrypto)
    .expect("RustCrypto")
}

fn root(alg: &str) -> Vec<Certificate> {
    parse_certificates(&fixture(&format!("certs/{alg}/root.pem"))).expect("root")
}

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

fn options() -> IssueOptions {
    IssueOptions::new(
        hex::decode("3a1f09c4d2e85b7761a0c3f4e5d6b7a8").expect("hex"),
        at() - Duration::minutes(5),
        at() + Duration::days(1),
    )
}

fn marie() -> SignerIdentity {
    SignerIdentity::new("마리 뒤부아 — Marie-Hélène Dubois").with_email("marie@example.com")
}

fn entropy(byte: u8) -> [u8; 32] {
    [byte; 32]
}

fn p256_key() -> GeneratedKey {
    generate_key(KeyAlgorithm::P256, &entropy(0x11)).expect("key")
}

fn issue(ca: &KeySigner, options: &IssueOptions) -> Result<Certificate> {
    issue_certificate(ca, &marie(), p256_key().public_key_der(), options)
}

fn refused(result: Result<impl std::fmt::Debug>) -> (ErrorCode, String) {
    let e = result.expect_err("an error");
    (e.code(), e.message().to_owned())
}

// ---------- key generation ----------

#[test]
fn the_same_entropy_gives_the_same_key_and_other_entropy_another() {
    for algorithm in [KeyAlgorithm::P256, KeyAlgorithm::Rsa2048] {
        let a = generate_key(algorithm, &entropy(1)).expect("key");
        let b = generate_key(algorithm, &entropy(1)).expect("key");
        let c = generate_key(algorithm, &entropy(2)).expect("key");
        assert_eq!(a.public_key_der(), b.public_key_der(), "{algorithm:?}");
        assert_eq!(a.pkcs8_der(), b.pkcs8_der(), "{algorithm:?}");
        assert_ne!(a.public_key_der(), c.public_key_der(), "{algorithm:?}");
        assert_eq!(a.algorithm(), algorithm);
    }
}

#[test]
fn a_p256_key_is_the_documented_derivation() {
    // Computed apart with Python's `cryptography` (not paraph's code):
    // seed = SHA-256("paraph/pades/generate_key/v1/" || "P-256" || 0x00 ||
    // 0x11 * 32); the first 32 bytes of ChaCha20(seed, nonce 0, counter 0)
    // are d (below n, so kept); the SPKI of d·G.
    let expected = "3059301306072a8648ce3d020106082a8648ce3d03010703420004dc24bcc2fc02c14b\
                    524fbfc378ae38d877801f7f2173ae0704725e683f0c4a604ede98fab0f2de82038fae4c\
                    bf52d2f0fc7e940529d8360822da46d056a0a576";
    assert_eq!(hex::encode(p256_key().public_key_der()), expected);
    let secret = p256::SecretKey::from_pkcs8_der(p256_key().pkcs8_der()).expect("PKCS#8");
    assert_eq!(
        hex::encode(secret.to_bytes()),
        "fe312f47d66c2565d7faf5ecac569a14acf28f1f0f7a1e90b3f83e5aa1b17f12"
    );
}

#[test]
fn generated_keys_have_the_algorithm_asked_for() {
    use pkcs8::DecodePublicKey;
    let rsa = generate_key(KeyAlgorithm::Rsa2048, &entropy(3)).expect("key");
    let public = rsa::RsaPublicKey::from_public_key_der(rsa.public_key_der()).expect("RSA");
    assert_eq!(rsa::traits::PublicKeyParts::n(&public).bits(), 2048);
    assert_eq!(
        rsa::traits::PublicKeyParts::e(&public),
        &rsa::BoxedUint::from(65537u32)
    );
    p256::PublicKey::from_public_key_der(p256_key().public_key_der()).expect("P-256");
}

#[test]
fn one_entropy_gives_unrelated_keys_for_the_two_algorithms() {
    let p256 = p256_key();
    let rsa = generate_key(KeyAlgorithm::Rsa2048, &entropy(0x11)).expect("key");
    let scalar = p256::SecretKey::from_pkcs8_der(p256.pkcs8_der())
        .expect("PKCS#8")
        .to_bytes();
    // The P-256 scalar does not appear in the RSA key's bytes.
    assert!(!rsa.pkcs8_der().windows(32).any(|w| w == scalar.as_slice()));
}

#[test]
fn short_entropy_is_refused() {
    for algorithm in [KeyAlgorithm::P256, KeyAlgorithm::Rsa2048] {
        let (code, message) = refused(generate_key(algorithm, &[0; 31]));
        assert_eq!(code, ErrorCode::InvalidArgument);
        assert!(message.contains("32 bytes"), "{message}");
    }
    assert!(generate_key(KeyAlgorithm::P256, &[]).is_err());
    assert!(generate_key(KeyAlgorithm::P256, &[0; 64]).is_ok());
}

#[test]
fn a_generated_key_does_not_show_its_secret() {
    let key = p256_key();
    let scalar = p256::SecretKey::from_pkcs8_der(key.pkcs8_der())
        .expect("PKCS#8")
        .to_bytes();
    let shown = format!("{key:?} {key:#?}");
    assert!(shown.contains("P256"), "{shown}");
    assert!(
        shown.contains(&crate::digest::sha256_hex(key.public_key_der())),
        "{shown}"
    );
    assert!(!shown.contains(&hex::encode(scalar)), "{shown}");
    assert!(!shown.contains(&hex::encode(key.pkcs8_der())), "{shown}");
}

// ---------- the certificate ----------

#[test]
fn the_certificate_names_the_signer_and_says_what_the_key_may_do() {
    let ca = ca("rsa");
    let certificate = issue(&ca, &options()).expect("issues");
    let tbs = certificate.x509().tbs_certificate();
    let ca_tbs = ca.certificate_chain()[0].x509().tbs_certificate();

    assert_eq!(
        certificate.common_name().as_deref(),
        Some("마리 뒤부아 — Marie-Hélène Dubois")
    );
    // One RDN, commonName as UTF8String (tag 12).
    let atvs: Vec<_> = tbs.subject().iter().collect();
    assert_eq!(atvs.len(), 1);
    assert_eq!(atvs[0].oid, const_oid::db::rfc4519::CN);
    assert_eq!(atvs[0].value.tag(), der::Tag::Utf8String);
    assert_eq!(
        tbs.issuer().to_der().expect("DER"),
        ca_tbs.subject().to_der().expect("DER")
    );
    assert_eq!(certificate.issuer(), ca.certificate_chain()[0].subject());
    assert_eq!(certificate.serial_hex(), "3a1f09c4d2e85b7761a0c3f4e5d6b7a8");
    assert_eq!(
        certificate.validity(),
        (at() - Duration::minutes(5), at() + Duration::days(1))
    );
    assert_eq!(tbs.version(), x509_cert::certificate::Version::V3);
    assert_eq!(
        tbs.subject_public_key_info().to_der().expect("DER"),
        p256_key().public_key_der()
    );

    let (critical, usage) = tbs
        .get_extension::<KeyUsage>()
        .expect("the extension decodes")
        .expect("KU");
    assert!(critical);
    assert!(usage.digital_signature() && usage.non_repudiation());
    assert!(!usage.key_cert_sign() && !usage.key_encipherment());

    let (critical, purposes) = tbs
        .get_extension::<ExtendedKeyUsage>()
        .expect("the extension decodes")
        .expect("EKU");
    assert!(!critical);
    assert_eq!(
        purposes.0,
        [
            ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.36"),
            const_oid::db::rfc5280::ID_KP_EMAIL_PROTECTION
        ]
    );

    let (critical, basic) = tbs
        .get_extension::<BasicConstraints>()
        .expect("the extension decodes")
        .expect("BC");
    assert!(critical);
    assert!(!basic.ca);
    assert_eq!(basic.path_len_constraint, None);

    let (critical, names) = tbs
        .get_extension::<SubjectAltName>()
        .expect("the extension decodes")
        .expect("SAN");
    assert!(!critical);
    assert_eq!(names.0.len(), 1);
    assert!(
        matches!(&names.0[0], GeneralName::Rfc822Name(email) if email.as_str() == "marie@example.com")
    );

    let (_, ski) = tbs
        .get_extension::<SubjectKeyIdentifier>()
        .expect("the extension decodes")
        .expect("SKI");
    let spki = tbs.subject_public_key_info();
    let expected = <sha1::Sha1 as sha2::Digest>::digest(spki.subject_public_key.raw_bytes());
    assert_eq!(ski.0.as_bytes(), expected.as_slice());
    let (_, aki) = tbs
        .get_extension::<AuthorityKeyIdentifier>()
        .expect("the extension decodes")
        .expect("AKI");
    let (_, ca_ski) = ca_tbs
        .get_extension::<SubjectKeyIdentifier>()
        .expect("the extension decodes")
        .expect("CA SKI");
    assert_eq!(aki.key_identifier, Some(ca_ski.0));
    assert_eq!(aki.authority_cert_issuer, None);
}

#[test]
fn without_an_email_there_is_no_subject_alt_name() {
    let certificate = issue_certificate(
        &ca("ec"),
        &SignerIdentity {
            name: "Jean Dupont".into(),
            email: None,
            phone: Some("+33612345678".into()),
        },
        p256_key().public_key_der(),
        &options(),
    )
    .expect("issues");
    let tbs = certificate.x509().tbs_certificate();
    assert!(
        tbs.get_extension::<SubjectAltName>()
            .expect("the extension decodes")
            .is_none()
    );
    // The phone is not in the certificate.
    assert!(!certificate.der().windows(12).any(|w| w == b"+33612345678"));
}

#[test]
fn the_certificate_is_signed_by_the_ca_with_its_algorithm() {
    for alg in ["rsa", "ec"] {
        let ca = ca(alg);
        let certificate = issue(&ca, &options()).expect("issues");
        let x509 = certificate.x509();
        let tbs = x509.tbs_certificate().to_der().expect("DER");
        let value = x509.signature().as_bytes().expect("bytes");
        let issuer = ca.certificate_chain()[0].x509();
        assert!(
            verify_with_certificate(issuer, ca.algorithm(), &tbs, value)
                .expect("verification runs"),
            "{alg}"
        );
        let expected = match alg {
            "rsa" => SHA_256_WITH_RSA_ENCRYPTION,
            _ => ECDSA_WITH_SHA_256,
        };
        assert_eq!(x509.signature_algorithm().oid, expected);
        assert_eq!(x509.tbs_certificate().signature().oid, expected);
        // A flipped bit in the signed part no longer verifies.
        let mut tampered = tbs.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(
            !verify_with_certificate(issuer, ca.algorithm(), &tampered, value)
                .expect("verification runs")
        );
    }
}

#[test]
fn the_same_inputs_give_the_same_certificate_bytes() {
    for alg in ["rsa", "ec"] {
        let a = issue(&ca(alg), &options()).expect("issues");
        let b = issue(&ca(alg), &options()).expect("issues");
        assert_eq!(a.der(), b.der(), "{alg}");
        let mut other = options();
        other.serial = vec![0x01];
        assert_ne!(issue(&ca(alg), &other).expect("issues").der(), a.der());
    }
    for algorithm in [KeyAlgorithm::P256, KeyAlgorithm::Rsa2048] {
        let make = || {
            issue_signer(&ca("rsa"), &marie(), algorithm, &entropy(9), &options())
                .expect("issues")
                .certificate_chain()[0]
                .clone()
        };
        assert_eq!(make().der(), make().der(), "{algorithm:?}");
    }
}

#[test]
fn times_after_2049_are_generalized_time_and_fractions_are_dropped() {
    let mut late = options();
    late.not_before = Utc.with_ymd_and_hms(2049, 12, 31, 23, 0, 0).unwrap();
    late.not_after =
        Utc.with_ymd_and_hms(2050, 1, 1, 1, 0, 0).unwrap() + Duration::milliseconds(750);
    let certificate = issue(&ca("ec"), &late).expect("issues");
    let validity = certificate.x509().tbs_certificate().validity();
    assert!(matches!(
        validity.not_before,
        x509_cert::time::Time::UtcTime(_)
    ));
    assert!(matches!(
        validity.not_after,
        x509_cert::time::Time::GeneralTime(_)
    ));
    assert_eq!(
        certificate.validity().1,
        Utc.with_ymd_and_hms(2050, 1, 1, 1, 0, 0).unwrap()
    );
}

// ---------- the issued signer ----------

#[test]
fn an_issued_signer_signs_pdfs_that_verify_with_its_name() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    for alg in ["rsa", "ec"] {
        for algorithm in [KeyAlgorithm::P256, KeyAlgorithm::Rsa2048] {
            let signer = issue_signer(&ca(alg), &marie(), algorithm, &entropy(5), &options())
                .expect("issues");
            assert_eq!(signer.backend(), Backend::default());
            let chain = signer.certificate_chain();
            assert_eq!(chain.len(), 3);
            assert_eq!(chain[1], ca(alg).certificate_chain()[0]);
            assert_eq!(
                signer.algorithm(),
                match algorithm {
                    KeyAlgorithm::P256 => SignatureAlgorithm::EcdsaP256Sha256,
                    KeyAlgorithm::Rsa2048 => SignatureAlgorithm::RsaPkcs1v15Sha256,
                }
            );
            let signed =
                crate::pades::sign(&pdf, &signer, None, &SignOptions::new(at())).expect("signs");
            let report = crate::pades::verify(
                &signed,
                &VerifyOptions::new(at() + Duration::hours(1)).with_trust_anchors(root(alg)),
            )
            .expect("verifies");
            report.verdict().expect("valid and trusted");
            let signature = &report.signatures[0];
            assert_eq!(signature.chain, crate::pades::ChainStatus::Trusted);
            let name = signature
                .signer
                .as_ref()
                .and_then(|s| s.common_name.clone());
            assert_eq!(name.as_deref(), Some("마리 뒤부아 — Marie-Hélène Dubois"));
            // After the leaf expires, the chain no longer holds.
            let late = crate::pades::verify(
                &signed,
                &VerifyOptions::new(at() + Duration::days(2)).with_trust_anchors(root(alg)),
            )
            .expect("verifies");
            assert_ne!(late.signatures[0].chain, crate::pades::ChainStatus::Trusted);
        }
    }
}

#[test]
fn a_signer_cannot_be_made_with_a_certificate_for_another_key() {
    let ca = ca("ec");
    let certificate = issue(&ca, &options()).expect("issues");
    let other = generate_key(KeyAlgorithm::P256, &entropy(0x22)).expect("key");
    let (code, _) = refused(KeySigner::from_generated(other, vec![certificate.clone()]));
    assert_eq!(code, ErrorCode::KeyCertMismatch);
    // The key's certificate goes first, wherever it is given.
    let signer = KeySigner::from_generated(
        p256_key(),
        vec![ca.certificate_chain()[0].clone(), certificate.clone()],
    )
    .expect("signer");
    assert_eq!(signer.certificate_chain()[0], certificate);
}

#[cfg(feature = "aws-lc")]
#[test]
fn with_aws_lc_the_issued_signer_signs_with_aws_lc() {
    for algorithm in [KeyAlgorithm::P256, KeyAlgorithm::Rsa2048] {
        let signer =
            issue_signer(&ca("rsa"), &marie(), algorithm, &entropy(6), &options()).expect("issues");
        assert_eq!(signer.backend(), Backend::AwsLc);
        let value = signer.sign(b"message").expect("signs");
        assert!(
            verify_with_certificate(
                signer.certificate_chain()[0].x509(),
                signer.algorithm(),
                b"message",
                &value
            )
            .expect("verification runs")
        );
    }
}

// ---------- bad input ----------

#[test]
fn bad_serial_numbers_are_refused_with_the_reason() {
    let cases: [(Vec<u8>, &str); 5] = [
        (vec![], "empty"),
        (vec![0, 0, 0], "zero"),
        (vec![0x80, 1], "negative"),
        (vec![0x11; 21], "21 octets"),
        ([vec![0], vec![0x80; 20]].concat(), "21 octets"),
    ];
    for (serial, reason) in cases {
        let mut o = options();
        o.serial = serial.clone();
        let (code, message) = refused(issue(&ca("ec"), &o));
        assert_eq!(code, ErrorCode::InvalidArgument, "{serial:02x?}");
        assert!(message.contains(reason), "{serial:02x?}: {message}");
    }
}

#[test]
fn serial_numbers_up_to_20_octets_are_kept_and_leading_zeros_dropped() {
    let cases: [(Vec<u8>, &str); 4] = [
        (vec![0, 0, 1], "01"),
        (vec![0, 0x80], "0080"),
        (vec![0x7f; 20], &"7f".repeat(20)),
        (
            [vec![0], vec![0x80; 19]].concat(),
            &format!("00{}", "80".repeat(19)),
        ),
    ];
    for (serial, expected) in cases {
        let mut o = options();
        o.serial = serial;
        assert_eq!(issue(&ca("ec"), &o).expect("issues").serial_hex(), expected);
    }
}

#[test]
fn a_validity_that_ends_first_or_leaves_the_cas_is_refused() {
    let mut backwards = options();
    backwards.not_after = backwards.not_before - Duration::seconds(1);
    let mut empty = options();
    empty.not_after = empty.not_before;
    let mut early = options();
    early.not_before = Utc.with_ymd_and_hms(2024, 12, 31, 23, 59, 59).unwrap();
    let mut late = options();
    late.not_after = Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap();
    for (o, reason) in [
        (backwards, "before or when it starts"),
        (empty, "before or when it starts"),
        (early, "outside the CA certificate's"),
        (late, "outside the CA certificate's"),
    ] {
        let (code, message) = refused(issue(&ca("rsa"), &o));
        assert_eq!(code, ErrorCode::InvalidArgument);
        assert!(message.contains(reason), "{message}");
    }
    // The CA's own bounds are allowed.
    let mut whole = options();
    (whole.not_before, whole.not_after) = ca("rsa").certificate_chain()[0].validity();
    assert!(issue(&ca("rsa"), &whole).is_ok());
}

#[test]
fn bad_names_and_emails_are_refused() {
    let long = "가".repeat(MAX_COMMON_NAME_CHARS + 1);
    let names = [
        ("", "empty"),
        ("  ", "empty"),
        ("Marie\nDubois", "U+000A"),
        ("Marie \u{202e}siobuD", "U+202E"),
        ("\u{2067}Marie", "U+2067"),
        (long.as_str(), "65 characters"),
    ];
    for (name, reason) in names {
        let (code, message) = refused(issue_certificate(
            &ca("ec"),
            &SignerIdentity::new(name),
            p256_key().public_key_der(),
            &options(),
        ));
        assert_eq!(code, ErrorCode::InvalidArgument);
        assert!(message.contains(reason), "{name:?}: {message}");
    }
    let fits = "가".repeat(MAX_COMMON_NAME_CHARS);
    assert!(
        issue_certificate(
            &ca("ec"),
            &SignerIdentity::new(fits),
            p256_key().public_key_der(),
            &options()
        )
        .is_ok()
    );
    let long_email = format!("{}@example.com", "a".repeat(250));
    let emails = [
        ("marie", "not an email address"),
        ("@example.com", "not an email address"),
        ("marie@", "not an email address"),
        ("marie dubois@example.com", "not an email address"),
        ("marie@example.com.", "not an email address"),
        ("마리@example.com", "not ASCII"),
        (long_email.as_str(), "262 bytes"),
    ];
    for (email, reason) in emails {
        let (code, message) = refused(issue_certificate(
            &ca("ec"),
            &SignerIdentity::new("Marie").with_email(email),
            p256_key().public_key_der(),
            &options(),
        ));
        assert_eq!(code, ErrorCode::InvalidArgument);
        assert!(message.contains(reason), "{email:?}: {message}");
    }
}

#[test]
fn public_keys_that_are_not_rsa_2048_or_p256_are_refused() {
    let (code, _) = refused(issue_certificate(
        &ca("ec"),
        &marie(),
        b"not a key",
        &options(),
    ));
    assert_eq!(code, ErrorCode::InvalidArgument);
    // An Ed25519 SubjectPublicKeyInfo (RFC 8410).
    let ed25519 = [
        hex::decode("302a300506032b6570032100").expect("hex"),
        vec![7; 32],
    ]
    .concat();
    let (code, message) = refused(issue_certificate(&ca("ec"), &marie(), &ed25519, &options()));
    assert_eq!(code, ErrorCode::UnsupportedAlgorithm);
    assert!(message.contains("1.3.101.112"), "{message}");
    // A 1024-bit RSA key.
    use pkcs8::EncodePublicKey;
    let mut rng = <chacha20::ChaCha20Rng as chacha20::rand_core::SeedableRng>::from_seed([1; 32]);
    let small = rsa::RsaPrivateKey::new(&mut rng, 1024).expect("key");
    let small = small.to_public_key().to_public_key_der().expect("SPKI");
    let (code, message) = refused(issue_certificate(
        &ca("ec"),
        &marie(),
        small.as_bytes(),
        &options(),
    ));
    assert_eq!(code, ErrorCode::UnsupportedAlgorithm);
    assert!(message.contains("1024"), "{message}");
    // An EC point not on P-256.
    let mut off_curve = p256_key().public_key_der().to_vec();
    let last = off_curve.len() - 1;
    off_curve[last] ^= 1;
    let (code, _) = refused(issue_certificate(
        &ca("ec"),
        &marie(),
        &off_curve,
        &options(),
    ));
    assert_eq!(code, ErrorCode::UnsupportedAlgorithm);
}

#[test]
fn a_leaf_certificate_cannot_act_as_a_ca() {
    let leaf = KeySigner::from_pkcs12(&fixture("certs/ec/signer.p12"), "test").expect("p12");
    let (code, message) = refused(issue(&leaf, &options()));
    assert_eq!(code, ErrorCode::CertNotCa);
    assert!(
        message.contains("basicConstraints cA is not TRUE"),
        "{message}"
    );
}

/// A self-signed P-256 certificate with basicConstraints cA TRUE and the
/// given key usages (none when `usage` is `None`), and a signer for it.
fn odd_ca(usage: Option<KeyUsages>) -> KeySigner {
    struct OddCa {
        usage: Option<KeyUsages>,
        subject: Name,
    }
    impl BuilderProfile for OddCa {
        fn get_issuer(&self, subject: &Name) -> Name {
            subject.clone()
        }
        fn get_subject(&self) -> Name {
            self.subject.clone()
        }
        fn build_extensions(
            &self,
            _spk: SubjectPublicKeyInfoRef<'_>,
            _issuer: SubjectPublicKeyInfoRef<'_>,
            tbs: &TbsCertificate,
        ) -> x509_cert::builder::Result<Vec<Extension>> {
            let mut extensions = vec![];
            let basic = BasicConstraints {
                ca: true,
                path_len_constraint: None,
            };
            extensions.push(basic.to_extension(tbs.subject(), &extensions)?);
            if let Some(usage) = self.usage {
                extensions.push(KeyUsage(usage.into()).to_extension(tbs.subject(), &extensions)?);
            }
            Ok(extensions)
        }
    }
    let key = generate_key(KeyAlgorithm::P256, &entropy(0x33)).expect("key");
    let signing = p256::ecdsa::SigningKey::from_pkcs8_der(key.pkcs8_der()).expect("key");
    let profile = OddCa {
        usage,
        subject: subject_name("Odd CA").expect("name"),
    };
    let validity = Validity::new(
        x509_time(at() - Duration::days(1)).expect("time"),
        x509_time(at() + Duration::days(30)).expect("time"),
    );
    let builder = CertificateBuilder::new(
        profile,
        SerialNumber::from(1u32),
        validity,
        read_public_key(key.public_key_der()).expect("SPKI"),
    )
    .expect("builder");
    let certificate = builder
        .build::<_, p256::ecdsa::DerSignature>(&signing)
        .expect("builds");
    let certificate = Certificate::from_x509(certificate).expect("certificate");
    KeySigner::from_generated(key, vec![certificate]).expect("signer")
}

#[test]
fn a_ca_certificate_without_key_cert_sign_cannot_issue() {
    let (code, message) = refused(issue(&odd_ca(Some(KeyUsages::CRLSign)), &options()));
    assert_eq!(code, ErrorCode::CertNotCa);
    assert!(message.contains("lacks keyCertSign"), "{message}");
    let (code, message) = refused(issue(&odd_ca(None), &options()));
    assert_eq!(code, ErrorCode::CertNotCa);
    assert!(message.contains("no keyUsage"), "{message}");
    let issued = issue(&odd_ca(Some(KeyUsages::KeyCertSign)), &options()).expect("issues");
    assert_eq!(issued.issuer(), "CN=Odd CA");
}

/// A CA signer that claims a certificate whose key it does not hold.
struct Impostor {
    chain: Vec<Certificate>,
    key: KeySigner,
    algorithm: SignatureAlgorithm,
}

impl Signer for Impostor {
    fn certificate_chain(&self) -> &[Certificate] {
        &self.chain
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        self.key.sign(message)
    }
}

#[test]
fn a_ca_signer_whose_key_is_not_its_certificates_is_caught() {
    let other_key = KeySigner::from_pkcs12(&fixture("certs/rsa/signer.p12"), "test").expect("p12");
    let impostor = Impostor {
        chain: ca("rsa").certificate_chain().to_vec(),
        key: other_key,
        algorithm: SignatureAlgorithm::RsaPkcs1v15Sha256,
    };
    let (code, message) = refused(issue_certificate(
        &impostor,
        &marie(),
        p256_key().public_key_der(),
        &options(),
    ));
    assert_eq!(code, ErrorCode::KeyCertMismatch);
    assert!(message.contains("does not verify"), "{message}");
    // A signer announcing the wrong algorithm for its certificate.
    let confused = Impostor {
        algorithm: SignatureAlgorithm::EcdsaP256Sha256,
        ..impostor
    };
    let (code, _) = refused(issue_certificate(
        &confused,
        &marie(),
        p256_key().public_key_der(),
        &options(),
    ));
    assert_eq!(code, ErrorCode::KeyCertMismatch);
}

#[test]
fn a_ca_signer_without_a_certificate_is_refused() {
    let empty = Impostor {
        chain: vec![],
        key: ca("ec"),
        algorithm: SignatureAlgorithm::EcdsaP256Sha256,
    };
    let (code, message) = refused(issue_certificate(
        &empty,
        &marie(),
        p256_key().public_key_der(),
        &options(),
    ));
    assert_eq!(code, ErrorCode::InvalidArgument);
    assert!(message.contains("no certificate"), "{message}");
}

#[test]
fn issue_signer_checks_its_input_before_making_a_key() {
    let mut o = options();
    o.serial = vec![];
    let (code, message) = refused(issue_signer(
        &ca("rsa"),
        &marie(),
        KeyAlgorithm::Rsa2048,
        &entropy(1),
        &o,
    ));
    assert_eq!(code, ErrorCode::InvalidArgument);
    assert!(message.contains("serial"), "{message}");
    let (code, message) = refused(issue_signer(
        &ca("rsa"),
        &marie(),
        KeyAlgorithm::Rsa2048,
        &[1; 8],
        &options(),
    ));
    assert_eq!(code, ErrorCode::InvalidArgument);
    assert!(message.contains("entropy"), "{message}");
}

// ---------- JSON ----------

#[test]
fn key_algorithms_are_named_as_in_json_web_keys() {
    assert_eq!(
        serde_json::to_string(&[KeyAlgorithm::P256, KeyAlgorithm::Rsa2048]).expect("JSON"),
        r#"["P-256","RSA-2048"]"#
    );
    let back: Vec<KeyAlgorithm> = serde_json::from_str(r#"["P-256","RSA-2048"]"#).expect("JSON");
    assert_eq!(back, [KeyAlgorithm::P256, KeyAlgorithm::Rsa2048]);
    assert!(serde_json::from_str::<KeyAlgorithm>(r#""P256""#).is_err());
}

#[test]
fn identities_round_trip_in_camel_case_json_and_refuse_unknown_fields() {
    let identity = SignerIdentity {
        name: "마리 뒤부아".into(),
        email: Some("marie@example.com".into()),
        phone: Some("+33612345678".into()),
    };
    let json = serde_json::to_string(&identity).expect("JSON");
    assert_eq!(
        json,
        r#"{"name":"마리 뒤부아","email":"marie@example.com","phone":"+33612345678"}"#
    );
    assert_eq!(
        serde_json::from_str::<SignerIdentity>(&json).expect("JSON"),
        identity
    );
    let bare: SignerIdentity = serde_json::from_str(r#"{"name":"Jean"}"#).expect("JSON");
    assert_eq!(bare, SignerIdentity::new("Jean"));
    assert_eq!(
        serde_json::to_string(&bare).expect("JSON"),
        r#"{"name":"Jean"}"#
    );
    assert!(serde_json::from_str::<SignerIdentity>(r#"{"name":"Jean","mail":"j@x.fr"}"#).is_err());
    assert!(serde_json::from_str::<SignerIdentity>(r#"{"email":"j@x.fr"}"#).is_err());
}

#[test]
fn issue_options_round_trip_with_a_hex_serial_and_refuse_unknown_fields() {
    let json = serde_json::to_string(&options()).expect("JSON");
    assert_eq!(
        json,
        r#"{"serial":"3a1f09c4d2e85b7761a0c3f4e5d6b7a8","notBefore":"2026-11-23T09:55:00Z","notAfter":"2026-11-24T10:00:00Z"}"#
    );
    assert_eq!(
        serde_json::from_str::<IssueOptions>(&json).expect("JSON"),
        options()
    );
    let upper = json.replace("3a1f09c4d2e85b77", "3A1F09C4D2E85B77");
    assert_eq!(
        serde_json::from_str::<IssueOptions>(&upper).expect("JSON"),
        options()
    );
    let error =
        serde_json::from_str::<IssueOptions>(&json.replace("3a1f", "3x1f")).expect_err("not hex");
    assert!(error.to_string().contains("not hex"), "{error}");
    let extra = json.replace(r#""serial""#, r#""serialNumber":"01","serial""#);
    assert!(serde_json::from_str::<IssueOptions>(&extra).is_err());
    assert!(serde_json::from_str::<IssueOptions>(r#"{"serial":"01"}"#).is_err());
}

#[test]
fn an_issued_certificate_round_trips_as_json() {
    let certificate = issue(&ca("ec"), &options()).expect("issues");
    let json = serde_json::to_string(&certificate).expect("JSON");
    let back: Certificate = serde_json::from_str(&json).expect("JSON");
    assert_eq!(back, certificate);
    assert_eq!(back.der(), certificate.der());
}
