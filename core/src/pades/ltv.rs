//! Long-term validation material (PAdES B-LT, ETSI EN 319 142-1 §5.4): the
//! Document Security Store (ISO 32000-2 §12.8.4.3).
//!
//! The core stays pure: [`validation_needs`] says which certificates of the
//! document's signatures and time-stamps still lack revocation data in the
//! DSS, and where their certificates say to fetch it (OCSP responders, CRL
//! distribution points, issuers' certificates); the caller fetches;
//! [`add_validation_data`] embeds what it fetched as an incremental update,
//! and [`embedded_validation_data`] reads a DSS back.
//!
//! `verify` checks chains against what the DSS holds ([`RevocationSources`]),
//! at the time a time-stamp proves; document time-stamps (B-LTA) are in
//! [`archive`](super::archive).

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};

use cms::signed_data::SignedData;
use const_oid::db::rfc3161::ID_AA_TIME_STAMP_TOKEN;
use der::{Decode, Encode};
use lopdf::{Dictionary, Object, ObjectId};
use sha1::{Digest, Sha1};
use x509_cert::crl::CertificateList as GenericCrl;

type CertificateList = GenericCrl<x509_cert::certificate::Rfc5280>;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints};

use super::cert::Certificate;
use super::cms::parse_signed_data;
use super::cms::verify::find_signer_cert;
use super::dictionary::FoundSignature;
use super::ocsp::{self, CertStatus};
use super::verify::{RevocationSource, RevocationStatus};
use crate::error::{Error, ErrorCode, Result};
use crate::pdf::incremental::IncrementalUpdate;
use crate::pdf::object;
use crate::pdf::{Limits, Pdf, PdfPassword};

/// `id-ad-ocsp` (RFC 5280 §4.2.2.1).
const ID_AD_OCSP: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
/// `id-ad-caIssuers` (RFC 5280 §4.2.2.1).
const ID_AD_CA_ISSUERS: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.2");

/// Validation data for a Document Security Store, each item DER-encoded:
/// certificates, OCSP responses (`OCSPResponse`, successful, basic) and
/// CRLs (`CertificateList`). JSON (camelCase): `{"certificates": [base64
/// DER…], "ocspResponses": […], "crls": […]}`, each key optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ValidationData {
    /// Certificates (issuers, responders) the signatures do not carry.
    #[serde(default, with = "crate::serde_util::base64_list")]
    pub certificates: Vec<Vec<u8>>,
    /// OCSP responses.
    #[serde(default, with = "crate::serde_util::base64_list")]
    pub ocsp_responses: Vec<Vec<u8>>,
    /// Certificate revocation lists.
    #[serde(default, with = "crate::serde_util::base64_list")]
    pub crls: Vec<Vec<u8>>,
}

impl ValidationData {
    /// Whether there is nothing in it.
    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty() && self.ocsp_responses.is_empty() && self.crls.is_empty()
    }
}

/// How to read the document.
#[derive(Clone, Debug, Default)]
pub struct LtvOptions {
    /// Resource limits for reading the PDF.
    pub limits: Limits,
    /// The password of an encrypted PDF that needs one.
    pub pdf_password: Option<PdfPassword>,
}

/// One certificate of a signature's (or time-stamp's) chain that needs
/// revocation data, as [`validation_needs`] lists them.
#[derive(Clone, Debug)]
pub struct CertificateNeed {
    /// The certificate.
    pub certificate: Certificate,
    /// Its issuer, when the signatures or the DSS carry it.
    pub issuer: Option<Certificate>,
    /// The signature fields whose signature or time-stamp chains hold it.
    pub fields: Vec<String>,
    /// OCSP responders (Authority Information Access).
    pub ocsp_urls: Vec<String>,
    /// CRL distribution points.
    pub crl_urls: Vec<String>,
    /// Where its issuer's certificate is published (Authority Information
    /// Access), useful when `issuer` is `None`.
    pub ca_issuers_urls: Vec<String>,
    /// The DSS holds an OCSP response about it (its serial number, from its
    /// issuer's name).
    pub has_ocsp: bool,
    /// The DSS holds a CRL from its issuer.
    pub has_crl: bool,
}

impl CertificateNeed {
    /// Whether the DSS already holds revocation data for it.
    pub fn covered(&self) -> bool {
        self.has_ocsp || self.has_crl
    }

    /// An unsigned OCSP request for this certificate (RFC 6960 §4.1, the
    /// CertID hashed with SHA-1 as responders expect), to POST with
    /// `Content-Type: application/ocsp-request` to one of
    /// [`ocsp_urls`](Self::ocsp_urls). `None` without its issuer.
    pub fn ocsp_request(&self) -> Option<Vec<u8>> {
        let issuer = self.issuer.as_ref()?;
        let issuer_tbs = issuer.x509().tbs_certificate();
        let name = issuer_tbs.subject().to_der().ok()?;
        let key = issuer_tbs
            .subject_public_key_info()
            .subject_public_key
            .raw_bytes();
        let request = ocsp::OcspRequest {
            tbs_request: ocsp::TbsRequest {
                request_list: vec![ocsp::Request {
                    req_cert: ocsp::CertId {
                        hash_algorithm: spki::AlgorithmIdentifierOwned {
                            oid: const_oid::db::rfc5912::ID_SHA_1,
                            parameters: Some(der::asn1::Any::null()),
                        },
                        issuer_name_hash: der::asn1::OctetString::new(Sha1::digest(&name).to_vec())
                            .ok()?,
                        issuer_key_hash: der::asn1::OctetString::new(Sha1::digest(key).to_vec())
                            .ok()?,
                        serial_number: self
                            .certificate
                            .x509()
                            .tbs_certificate()
                            .serial_number()
                            .clone(),
                    },
                }],
            },
        };
        request.to_der().ok()
    }

    /// Whether `response` (a DER `OCSPResponse`) says whether this
    /// certificate is good or revoked: what to embed. A response about
    /// another certificate, or "unknown", does not answer.
    pub fn is_answered_by(&self, response: &[u8]) -> bool {
        ocsp::parse_response(response).is_ok_and(|r| ocsp_names(&r, self.certificate.x509()))
    }

    /// Whether `crl` (a DER `CertificateList`) comes from this
    /// certificate's issuer.
    pub fn is_covered_by_crl(&self, crl: &[u8]) -> bool {
        CertificateList::from_der(crl).is_ok_and(|crl| {
            crl.tbs_cert_list.issuer == *self.certificate.x509().tbs_certificate().issuer()
        })
    }
}

/// A signature of the document, as the DSS sees it.
struct DocumentSignature {
    field: String,
    /// `/Contents` as stored, zero padding included (the VRI key hashes it).
    contents: Vec<u8>,
    /// The chain of the signer and of its signature time-stamp (or of a
    /// document time-stamp), leaves first, roots left out.
    chain: Vec<Certificate>,
}

/// The DSS as the file holds it.
#[derive(Default)]
struct Store {
    certs: Vec<(ObjectId, Vec<u8>)>,
    ocsps: Vec<(ObjectId, Vec<u8>)>,
    crls: Vec<(ObjectId, Vec<u8>)>,
    vri: Dictionary,
}

fn invalid_crl(e: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::RevocationDataInvalid,
        format!("the CRL cannot be read: {e}"),
    )
}

/// Reads the DSS of `pdf`: every certificate, OCSP response and CRL it
/// holds (decoded from their streams).
pub fn embedded_validation_data(pdf: &[u8], options: &LtvOptions) -> Result<ValidationData> {
    let doc = open(pdf, options)?;
    let store = read_store(&doc)?;
    Ok(ValidationData {
        certificates: store.certs.into_iter().map(|(_, d)| d).collect(),
        ocsp_responses: store.ocsps.into_iter().map(|(_, d)| d).collect(),
        crls: store.crls.into_iter().map(|(_, d)| d).collect(),
    })
}

/// Every certificate of the document's signatures and time-stamps that a
/// verifier needs revocation data for (each chain from its leaf up to, not
/// including, a self-signed root), with where to fetch it and whether the
/// DSS already covers it. `SIGNATURE_NOT_FOUND` when the document has no
/// signature.
pub fn validation_needs(pdf: &[u8], options: &LtvOptions) -> Result<Vec<CertificateNeed>> {
    let doc = open(pdf, options)?;
    let sources = RevocationSources::from_store(&read_store(&doc)?);
    let extra: Vec<Certificate> = sources
        .certs
        .iter()
        .filter_map(|c| Certificate::from_x509(c.clone()).ok())
        .collect();
    let signatures = document_signatures(&doc, &extra)?;
    let (crls, ocsps) = (&sources.crls, &sources.ocsps);
    let mut pool: Vec<Certificate> = extra;
    for signature in &signatures {
        pool.extend(signature.chain.iter().cloned());
    }
    let mut needs: BTreeMap<Vec<u8>, CertificateNeed> = BTreeMap::new();
    for signature in &signatures {
        for cert in &signature.chain {
            let need = needs.entry(cert.der().to_vec()).or_insert_with(|| {
                let tbs = cert.x509().tbs_certificate();
                let (ocsp_urls, ca_issuers_urls) = access_urls(cert);
                CertificateNeed {
                    certificate: cert.clone(),
                    issuer: pool
                        .iter()
                        .find(|c| c.x509().tbs_certificate().subject() == tbs.issuer())
                        .cloned(),
                    fields: Vec::new(),
                    ocsp_urls,
                    crl_urls: crl_urls(cert),
                    ca_issuers_urls,
                    has_ocsp: ocsps.iter().any(|r| ocsp_names(r, cert.x509())),
                    has_crl: crls
                        .iter()
                        .any(|crl| crl.tbs_cert_list.issuer == *tbs.issuer()),
                }
            });
            if !need.fields.contains(&signature.field) {
                need.fields.push(signature.field.clone());
            }
        }
    }
    Ok(needs.into_values().collect())
}

/// `pdf` with an incremental update that adds `data` to its Document
/// Security Store (made when there is none): each item once (what the DSS
/// already holds is not added again), and a `/VRI` entry per signature,
/// keyed by the upper-case hex SHA-1 of its `/Contents`, listing the items
/// that concern its chain. Earlier signatures stay valid: a DSS update is
/// an allowed change (ISO 32000-2 §12.8.2.2, at every DocMDP level).
///
/// Every item must read as what it claims to be (`CERT_INVALID`,
/// `REVOCATION_DATA_INVALID`); a document without signatures is refused
/// with `SIGNATURE_NOT_FOUND`.
pub fn add_validation_data(
    pdf: &[u8],
    data: &ValidationData,
    options: &LtvOptions,
) -> Result<Vec<u8>> {
    for der in &data.certificates {
        Certificate::from_der(der)?;
    }
    for der in &data.crls {
        CertificateList::from_der(der).map_err(invalid_crl)?;
    }
    for der in &data.ocsp_responses {
        ocsp::parse_response(der)?;
    }
    let doc = open(pdf, options)?;
    let mut store = read_store(&doc)?;
    let extra: Vec<Certificate> = store
        .certs
        .iter()
        .map(|(_, d)| d)
        .chain(&data.certificates)
        .filter_map(|der| Certificate::from_der(der).ok())
        .collect();
    let signatures = document_signatures(&doc, &extra)?;

    let mut update = IncrementalUpdate::new(&doc)?;
    let mut add = |list: &mut Vec<(ObjectId, Vec<u8>)>, items: &[Vec<u8>]| {
        for der in items {
            if list.iter().any(|(_, held)| held == der) {
                continue;
            }
            let id = update.add_stream(Dictionary::new(), der);
            list.push((id, der.clone()));
        }
    };
    add(&mut store.certs, &data.certificates);
    add(&mut store.ocsps, &data.ocsp_responses);
    add(&mut store.crls, &data.crls);

    // The VRI of each signature: the items of the whole DSS that concern
    // its chain (a fresh dictionary, so that an earlier one stays as it was).
    let certs: Vec<(ObjectId, Option<Certificate>)> = store
        .certs
        .iter()
        .map(|(id, der)| (*id, Certificate::from_der(der).ok()))
        .collect();
    let crls: Vec<(ObjectId, Option<CertificateList>)> = store
        .crls
        .iter()
        .map(|(id, der)| (*id, CertificateList::from_der(der).ok()))
        .collect();
    let ocsps: Vec<(ObjectId, Option<ocsp::BasicOcspResponse>)> = store
        .ocsps
        .iter()
        .map(|(id, der)| (*id, ocsp::parse_response(der).ok()))
        .collect();
    let mut vri = store.vri.clone();
    for signature in &signatures {
        let key = hex_upper(&Sha1::digest(&signature.contents));
        let subjects: HashSet<Vec<u8>> = signature
            .chain
            .iter()
            .filter_map(|c| c.x509().tbs_certificate().issuer().to_der().ok())
            .collect();
        let refs =
            |ids: Vec<ObjectId>| Object::Array(ids.into_iter().map(Object::Reference).collect());
        let cert_ids: Vec<ObjectId> = certs
            .iter()
            .filter(|(_, c)| {
                c.as_ref().is_some_and(|c| {
                    c.x509()
                        .tbs_certificate()
                        .subject()
                        .to_der()
                        .is_ok_and(|s| subjects.contains(&s))
                        || signature.chain.contains(c)
                })
            })
            .map(|(id, _)| *id)
            .collect();
        let crl_ids: Vec<ObjectId> = crls
            .iter()
            .filter(|(_, crl)| {
                crl.as_ref().is_some_and(|crl| {
                    crl.tbs_cert_list
                        .issuer
                        .to_der()
                        .is_ok_and(|i| subjects.contains(&i))
                })
            })
            .map(|(id, _)| *id)
            .collect();
        let ocsp_ids: Vec<ObjectId> = ocsps
            .iter()
            .filter(|(_, r)| {
                r.as_ref()
                    .is_some_and(|r| signature.chain.iter().any(|c| ocsp_names(r, c.x509())))
            })
            .map(|(id, _)| *id)
            .collect();
        let mut entry = Dictionary::new();
        entry.set("Type", Object::Name(b"VRI".to_vec()));
        entry.set("Cert", refs(cert_ids));
        if !crl_ids.is_empty() {
            entry.set("CRL", refs(crl_ids));
        }
        if !ocsp_ids.is_empty() {
            entry.set("OCSP", refs(ocsp_ids));
        }
        let id = update.add(Object::Dictionary(entry));
        vri.set(key.into_bytes(), Object::Reference(id));
    }

    let list = |items: &[(ObjectId, Vec<u8>)]| {
        Object::Array(items.iter().map(|(id, _)| Object::Reference(*id)).collect())
    };
    let mut dss = Dictionary::new();
    dss.set("Type", Object::Name(b"DSS".to_vec()));
    dss.set("Certs", list(&store.certs));
    if !store.ocsps.is_empty() {
        dss.set("OCSPs", list(&store.ocsps));
    }
    if !store.crls.is_empty() {
        dss.set("CRLs", list(&store.crls));
    }
    dss.set("VRI", Object::Dictionary(vri));
    let dss_id = update.add(Object::Dictionary(dss));
    let catalog = doc.catalog_id()?;
    update.edit_dict(catalog, |catalog| {
        catalog.set("DSS", Object::Reference(dss_id));
    })?;
    Ok(update.write()?.apply_to(doc.bytes()))
}

fn open<'a>(pdf: &'a [u8], options: &LtvOptions) -> Result<Pdf<'a>> {
    let password = options.pdf_password.as_ref().map(PdfPassword::expose);
    Pdf::open_unfiltered(pdf, &options.limits, password)
}

/// The catalog's `/DSS`, read: each array's streams (decoded) and the VRI.
fn read_store(doc: &Pdf<'_>) -> Result<Store> {
    let catalog = object::get_dict(&doc.doc, doc.catalog_id()?)?;
    let Ok(dss) = catalog.get(b"DSS") else {
        return Ok(Store::default());
    };
    let Some(dss) = object::as_dict(object::resolve(&doc.doc, dss)?) else {
        return Err(Error::new(
            ErrorCode::PdfMalformed,
            "the catalog's /DSS is not a dictionary",
        ));
    };
    let read = |key: &[u8]| -> Result<Vec<(ObjectId, Vec<u8>)>> {
        let Ok(array) = dss.get(key) else {
            return Ok(Vec::new());
        };
        let Object::Array(items) = object::resolve(&doc.doc, array)? else {
            return Err(Error::new(
                ErrorCode::PdfMalformed,
                format!(
                    "the DSS's /{} is not an array",
                    String::from_utf8_lossy(key)
                ),
            ));
        };
        let mut out = Vec::new();
        for item in items {
            let Object::Reference(id) = item else {
                continue;
            };
            let stream = doc
                .doc
                .get_object(*id)
                .ok()
                .and_then(|o| o.as_stream().ok());
            if let Some(stream) = stream {
                let data = stream
                    .decompressed_content_with_limit(doc.limits().max_decompressed_size)
                    .unwrap_or_else(|_| stream.content.clone());
                out.push((*id, data));
            }
        }
        Ok(out)
    };
    let vri = match dss.get(b"VRI") {
        Ok(v) => object::as_dict(object::resolve(&doc.doc, v)?)
            .cloned()
            .unwrap_or_default(),
        Err(_) => Dictionary::new(),
    };
    Ok(Store {
        certs: read(b"Certs")?,
        ocsps: read(b"OCSPs")?,
        crls: read(b"CRLs")?,
        vri,
    })
}

/// Every signature and document time-stamp of `doc`, with its chain built
/// from the certificates its CMS (and its time-stamp token) carries and
/// `extra` ones.
fn document_signatures(doc: &Pdf<'_>, extra: &[Certificate]) -> Result<Vec<DocumentSignature>> {
    let mut out = Vec::new();
    for field in doc.fields()?.into_iter().filter(|f| f.signed) {
        let field_dict = object::get_dict(&doc.doc, field.id)?;
        let Some(Object::Reference(sig_id)) = field_dict.get(b"V").ok() else {
            continue;
        };
        let sig = object::get_dict(&doc.doc, *sig_id)?;
        let found = FoundSignature::read(&doc.doc, sig)?;
        let mut chain = Vec::new();
        if let Ok(signed) = parse_signed_data(&found.contents) {
            chain_of(&signed, extra, &mut chain);
            // The signature time-stamp's own chain (B-T).
            for info in signed.signer_infos.0.iter() {
                let Some(attrs) = &info.unsigned_attrs else {
                    continue;
                };
                for attr in attrs.iter().filter(|a| a.oid == ID_AA_TIME_STAMP_TOKEN) {
                    for value in attr.values.iter() {
                        if let Ok(der) = value.to_der()
                            && let Ok(token) = parse_signed_data(&der)
                        {
                            chain_of(&token, extra, &mut chain);
                        }
                    }
                }
            }
        }
        out.push(DocumentSignature {
            field: field.name,
            contents: found.contents,
            chain,
        });
    }
    if out.is_empty() {
        return Err(Error::new(
            ErrorCode::SignatureNotFound,
            "the PDF has no signature for validation data to serve",
        ));
    }
    Ok(out)
}

/// Appends to `chain` the signer of `signed` and its issuers, up to and
/// not including a self-signed certificate, from the certificates `signed`
/// carries and `extra`.
fn chain_of(signed: &SignedData, extra: &[Certificate], chain: &mut Vec<Certificate>) {
    let Some(info) = signed.signer_infos.0.iter().next() else {
        return;
    };
    let Some(leaf) = find_signer_cert(signed, &info.sid) else {
        return;
    };
    let mut pool: Vec<x509_cert::Certificate> = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|choice| match choice {
            cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    pool.extend(extra.iter().map(|c| c.x509().clone()));
    let mut current = leaf;
    // Bounded: a chain longer than the pool loops.
    for _ in 0..=pool.len() {
        let tbs = current.tbs_certificate();
        if tbs.subject() == tbs.issuer() {
            return;
        }
        let Ok(cert) = Certificate::from_x509(current.clone()) else {
            return;
        };
        if chain.contains(&cert) {
            return;
        }
        chain.push(cert);
        let Some(issuer) = pool
            .iter()
            .find(|c| c.tbs_certificate().subject() == tbs.issuer())
        else {
            return;
        };
        current = issuer.clone();
    }
}

/// Whether an OCSP response speaks of `cert`: a single response with its
/// serial number whose issuer name hash is that of its issuer's name.
fn ocsp_names(response: &ocsp::BasicOcspResponse, cert: &x509_cert::Certificate) -> bool {
    let tbs = cert.tbs_certificate();
    let Ok(issuer) = tbs.issuer().to_der() else {
        return false;
    };
    response.tbs_response_data.responses.iter().any(|single| {
        let id = &single.cert_id;
        let name_hash = if id.hash_algorithm.oid == const_oid::db::rfc5912::ID_SHA_1 {
            Sha1::digest(&issuer).to_vec()
        } else if let Some(hash) = super::cms::verify::hash_with(id.hash_algorithm.oid, &issuer) {
            hash
        } else {
            return false;
        };
        id.serial_number == *tbs.serial_number()
            && id.issuer_name_hash.as_bytes() == name_hash.as_slice()
            && single.status() != CertStatus::Unknown
    })
}

/// The OCSP and caIssuers URLs of a certificate's Authority Information
/// Access extension.
fn access_urls(cert: &Certificate) -> (Vec<String>, Vec<String>) {
    let (mut ocsp, mut issuers) = (Vec::new(), Vec::new());
    if let Ok(Some((_, aia))) = cert
        .x509()
        .tbs_certificate()
        .get_extension::<AuthorityInfoAccessSyntax>()
    {
        for access in aia.0 {
            if let GeneralName::UniformResourceIdentifier(uri) = access.access_location {
                let uri = uri.to_string();
                if access.access_method == ID_AD_OCSP {
                    ocsp.push(uri);
                } else if access.access_method == ID_AD_CA_ISSUERS {
                    issuers.push(uri);
                }
            }
        }
    }
    (ocsp, issuers)
}

/// The URLs of a certificate's CRL distribution points.
fn crl_urls(cert: &Certificate) -> Vec<String> {
    let mut urls = Vec::new();
    if let Ok(Some((_, points))) = cert
        .x509()
        .tbs_certificate()
        .get_extension::<CrlDistributionPoints>()
    {
        for point in points.0 {
            if let Some(DistributionPointName::FullName(names)) = point.distribution_point {
                for name in names {
                    if let GeneralName::UniformResourceIdentifier(uri) = name {
                        urls.push(uri.to_string());
                    }
                }
            }
        }
    }
    urls
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The Document Security Store's contents as `verify` checks chains with
/// them: certificates, CRLs and OCSP responses that read (an item that
/// does not is left out: it proves nothing).
#[derive(Default)]
pub(crate) struct RevocationSources {
    pub certs: Vec<x509_cert::Certificate>,
    pub crls: Vec<CertificateList>,
    pub ocsps: Vec<ocsp::BasicOcspResponse>,
}

impl RevocationSources {
    /// Whether there is no DSS, or it holds nothing that reads.
    pub(crate) fn is_empty(&self) -> bool {
        self.certs.is_empty() && self.crls.is_empty() && self.ocsps.is_empty()
    }

    /// Reads the DSS of `doc`; an unreadable DSS gives nothing.
    pub(crate) fn read(doc: &Pdf<'_>) -> Self {
        read_store(doc).map_or_else(|_| Self::default(), |store| Self::from_store(&store))
    }

    /// The items of `store` that read.
    fn from_store(store: &Store) -> Self {
        Self {
            certs: store
                .certs
                .iter()
                .filter_map(|(_, der)| x509_cert::Certificate::from_der(der).ok())
                .collect(),
            crls: store
                .crls
                .iter()
                .filter_map(|(_, der)| CertificateList::from_der(der).ok())
                .collect(),
            ocsps: store
                .ocsps
                .iter()
                .filter_map(|(_, der)| ocsp::parse_response(der).ok())
                .collect(),
        }
    }

    /// What the DSS says of `cert`, issued by `issuer`, at `at`: from a CRL
    /// of the issuer, or an OCSP response about it, each usable when
    /// signed by the issuer (or, for OCSP, by a responder the issuer
    /// delegated to, id-kp-OCSPSigning) and fresh for `at`: issued at or
    /// after it, or valid until at least then, and issued while the
    /// certificate was valid. A revocation after `at`
    /// does not count: the certificate was good when it was used. `None`
    /// when nothing in the DSS is about it.
    ///
    /// Of several items the strongest answer wins: revoked, then good, then
    /// stale (only items that expired before `at`), then an untrusted
    /// signer (only items signed by someone else).
    pub(crate) fn status(
        &self,
        cert: &x509_cert::Certificate,
        issuer: &x509_cert::Certificate,
        at: DateTime<Utc>,
    ) -> Option<Finding> {
        let tbs = cert.tbs_certificate();
        let serial = tbs.serial_number();
        // Data issued after the certificate expired says nothing of it: an
        // issuer need not keep expired certificates on its CRLs (RFC 5280
        // §3.3), nor answer for them by OCSP.
        let expired_at = super::cert::to_chrono(&tbs.validity().not_after);
        let fresh = |this: DateTime<Utc>, next: Option<DateTime<Utc>>| {
            this <= expired_at && (this >= at || next.is_some_and(|next| this <= at && at <= next))
        };
        let mut best: Option<Finding> = None;
        let mut consider = |finding: Finding| {
            if best.as_ref().is_none_or(|b| finding.rank() > b.rank()) {
                best = Some(finding);
            }
        };
        for crl in &self.crls {
            if crl.tbs_cert_list.issuer != *tbs.issuer() {
                continue;
            }
            let this = super::cert::to_chrono(&crl.tbs_cert_list.this_update);
            let next = crl
                .tbs_cert_list
                .next_update
                .as_ref()
                .map(super::cert::to_chrono);
            let revoked = crl
                .tbs_cert_list
                .revoked_certificates
                .iter()
                .flatten()
                .find(|r| r.serial_number == *serial)
                .map(|r| super::cert::to_chrono(&r.revocation_date));
            let status = if !crl_signed_by(crl, issuer) {
                RevocationStatus::UntrustedResponder
            } else if revoked.is_some_and(|when| when <= at) {
                // A revocation listed before `at` holds whatever the CRL's age.
                RevocationStatus::Revoked
            } else if fresh(this, next) {
                RevocationStatus::Good
            } else {
                RevocationStatus::Stale
            };
            consider(Finding {
                status,
                source: RevocationSource::Crl,
                issued_at: this,
                revoked_at: revoked.filter(|when| *when <= at),
            });
        }
        for response in &self.ocsps {
            if !ocsp_names(response, cert) {
                continue;
            }
            let trusted = ocsp_signed_for(response, issuer);
            for single in &response.tbs_response_data.responses {
                if single.cert_id.serial_number != *serial {
                    continue;
                }
                let generalized = |t: &der::asn1::GeneralizedTime| {
                    super::cert::unix_to_chrono(t.to_unix_duration())
                };
                let this = generalized(&single.this_update);
                let next = single.next_update.as_ref().map(generalized);
                let revoked = match single.status() {
                    CertStatus::Revoked => {
                        Some(single.revocation_time().unwrap_or(DateTime::<Utc>::MIN_UTC))
                    }
                    CertStatus::Good => None,
                    CertStatus::Unknown => continue,
                }
                .filter(|when| *when <= at);
                let status = if !trusted {
                    RevocationStatus::UntrustedResponder
                } else if revoked.is_some() {
                    RevocationStatus::Revoked
                } else if fresh(this, next) {
                    RevocationStatus::Good
                } else {
                    RevocationStatus::Stale
                };
                consider(Finding {
                    status,
                    source: RevocationSource::Ocsp,
                    issued_at: this,
                    revoked_at: revoked,
                });
            }
        }
        best
    }
}

/// What one CRL or OCSP response of the DSS says of a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Finding {
    /// Good, revoked, stale or signed by an untrusted signer.
    pub status: RevocationStatus,
    /// CRL or OCSP.
    pub source: RevocationSource,
    /// Its thisUpdate.
    pub issued_at: DateTime<Utc>,
    /// When the certificate was revoked, if it was by the time asked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Finding {
    fn rank(&self) -> u8 {
        match self.status {
            RevocationStatus::Revoked => 5,
            RevocationStatus::Good => 4,
            RevocationStatus::Stale => 3,
            RevocationStatus::UntrustedResponder => 2,
            RevocationStatus::Missing | RevocationStatus::NotRequired => 1,
        }
    }
}

fn crl_signed_by(crl: &CertificateList, issuer: &x509_cert::Certificate) -> bool {
    let (Ok(tbs), Some(signature)) = (crl.tbs_cert_list.to_der(), crl.signature.as_bytes()) else {
        return false;
    };
    super::keys::verify_raw(
        issuer.tbs_certificate().subject_public_key_info(),
        crl.signature_algorithm.oid,
        None,
        &tbs,
        signature,
    )
    .unwrap_or(false)
}

/// Whether `response` is signed by `issuer`, or by a certificate it
/// carries that `issuer` issued for OCSP signing (RFC 6960 §4.2.2.2).
fn ocsp_signed_for(response: &ocsp::BasicOcspResponse, issuer: &x509_cert::Certificate) -> bool {
    let (Ok(tbs), Some(signature)) = (
        response.tbs_response_data.to_der(),
        response.signature.as_bytes(),
    ) else {
        return false;
    };
    let signed_by = |spki: &spki::SubjectPublicKeyInfoOwned| {
        super::keys::verify_raw(
            spki,
            response.signature_algorithm.oid,
            None,
            &tbs,
            signature,
        )
        .unwrap_or(false)
    };
    if signed_by(issuer.tbs_certificate().subject_public_key_info()) {
        return true;
    }
    response.certs.iter().flatten().any(|responder| {
        let delegated = responder
            .tbs_certificate()
            .get_extension::<x509_cert::ext::pkix::ExtendedKeyUsage>()
            .ok()
            .flatten()
            .is_some_and(|(_, eku)| eku.0.contains(&const_oid::db::rfc5280::ID_KP_OCSP_SIGNING));
        delegated
            && responder.tbs_certificate().issuer() == issuer.tbs_certificate().subject()
            && super::chain::issued_by(responder, issuer)
            && signed_by(responder.tbs_certificate().subject_public_key_info())
    })
}
