//! CMS SignedData (RFC 5652) as PAdES uses it: [`build`] makes one,
//! [`verify`] checks one.

pub(crate) mod build;
pub(crate) mod verify;

pub(crate) use build::{parse_signed_data, signed_attributes, signed_data, to_be_signed};
pub(crate) use verify::{RangeDigester, verify_signer, verify_signer_info};
