//! What changed after a signature (ISO 32000-2 §12.8.2, §12.8.2.2 DocMDP):
//! the signed revision compared object by object with the final file.
//! Allowed after an approval signature: form filling, new signature fields
//! and signatures, document metadata; annotations only under a
//! certification with `/P 3`; under a certification, what its `/P` permits.
//! Validation data (a DSS) and document time-stamps are allowed after any
//! signature, at every DocMDP level (LTA updates).

use std::collections::{BTreeMap, HashSet};

use lopdf::{Document, Object, ObjectId};

use super::verify::Modifications;
use crate::error::Result;
use crate::pdf::object;
use crate::pdf::{Limits, Pdf};

/// What a signed revision became in the final file: allowed changes are
/// form filling (field values and appearances), new signature fields and
/// signatures, and document metadata; under DocMDP P=1 nothing may change,
/// and annotations other than widgets only under P=3.
pub(crate) fn analyse_changes(
    signed: &[u8],
    final_doc: &Pdf<'_>,
    certified: Option<i64>,
    limits: &Limits,
    password: Option<&str>,
) -> Result<Modifications> {
    let before = match Pdf::open_unfiltered(signed, limits, password) {
        Ok(doc) => doc,
        Err(e) => {
            return Ok(Modifications::Disallowed {
                reasons: vec![format!(
                    "the signed revision cannot be read: {}",
                    e.message()
                )],
            });
        }
    };
    let old = &before.doc;
    let new = &final_doc.doc;
    let mut changes = Vec::new();
    let mut reasons = Vec::new();

    let old_fields = field_ids(&before)?;
    let new_fields = field_ids(final_doc)?;
    let pages: HashSet<ObjectId> = final_doc.pages().iter().map(|p| p.id).collect();
    let old_pages: HashSet<ObjectId> = before.pages().iter().map(|p| p.id).collect();
    if pages != old_pages {
        reasons.push("pages were added or removed".to_owned());
    }
    let catalog_id = final_doc.catalog_id().ok();
    let acroform_id = catalog_id
        .and_then(|id| object::get_dict(new, id).ok())
        .and_then(|c| c.get(b"AcroForm").ok())
        .and_then(|a| a.as_reference().ok());
    let info_id = new
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|i| i.as_reference().ok());
    let metadata_id = catalog_id
        .and_then(|id| object::get_dict(new, id).ok())
        .and_then(|c| c.get(b"Metadata").ok())
        .and_then(|m| m.as_reference().ok());
    let annots_arrays: HashSet<ObjectId> = final_doc
        .pages()
        .iter()
        .filter_map(|p| object::get_dict(new, p.id).ok())
        .filter_map(|d| d.get(b"Annots").ok().and_then(|a| a.as_reference().ok()))
        .collect();

    // Validation data (PAdES B-LT) is allowed after any signature, at every
    // DocMDP level (ISO 32000-2 §12.8.2.2, ETSI EN 319 142-1 §5.4).
    let dss_ids = catalog_id
        .and_then(|id| object::get_dict(new, id).ok())
        .and_then(|c| c.get(b"DSS").ok())
        .map(|dss| dss_objects(new, dss))
        .unwrap_or_default();
    let mut validation_data = false;
    // Document time-stamps (B-LTA) are allowed after any signature too: new
    // signature fields whose value is a /DocTimeStamp, added to the form
    // and to a page's annotations and changing nothing else.
    let timestamp_fields: HashSet<ObjectId> = new_fields
        .difference(&old_fields)
        .filter(|id| is_document_timestamp_field(new, **id))
        .copied()
        .collect();
    let only_timestamps = |added: Vec<Object>| {
        !added.is_empty()
            && added.iter().all(|o| {
                o.as_reference()
                    .is_ok_and(|id| timestamp_fields.contains(&id))
            })
    };
    let mut timestamps = false;

    let mut ids: Vec<&ObjectId> = new.objects.keys().collect();
    ids.sort();
    for id in ids {
        let new_obj = &new.objects[id];
        let Some(old_obj) = old.objects.get(id) else {
            // New objects are inert unless something that counts refers to them;
            // new annotations are judged where they are attached (pages).
            continue;
        };
        if same_object(old_obj, new_obj) {
            continue;
        }
        let label = format!("object {} {} R", id.0, id.1);
        if dss_ids.contains(id) {
            validation_data = true;
        } else if Some(*id) == catalog_id {
            let changed = changed_keys(old_obj, new_obj);
            if changed.iter().all(|k| k == "DSS") {
                validation_data = true;
                continue;
            }
            let disallowed: Vec<&String> = changed
                .iter()
                .filter(|k| {
                    ![
                        "AcroForm",
                        "DSS",
                        "Extensions",
                        "Metadata",
                        "MarkInfo",
                        "Version",
                    ]
                    .contains(&k.as_str())
                })
                .collect();
            if disallowed.is_empty() {
                changes.push(format!("catalog: {}", changed.join(", ")));
            } else {
                reasons.push(format!("the catalog's {disallowed:?} changed"));
            }
        } else if Some(*id) == acroform_id {
            let changed = changed_keys(old_obj, new_obj);
            let fields_kept = superset(old, new, old_obj, new_obj, b"Fields");
            if fields_kept
                && changed
                    .iter()
                    .all(|k| ["Fields", "SigFlags"].contains(&k.as_str()))
                && only_timestamps(added(old, new, old_obj, new_obj, b"Fields"))
            {
                timestamps = true;
            } else if changed.iter().all(|k| {
                ["Fields", "SigFlags", "DR", "DA", "NeedAppearances"].contains(&k.as_str())
            }) && fields_kept
            {
                changes.push("form dictionary".to_owned());
            } else {
                reasons.push(format!(
                    "the form dictionary changed ({})",
                    changed.join(", ")
                ));
            }
        } else if pages.contains(id) {
            let changed = changed_keys(old_obj, new_obj);
            if changed.iter().all(|k| k == "Annots")
                && superset(old, new, old_obj, new_obj, b"Annots")
                && only_timestamps(added(old, new, old_obj, new_obj, b"Annots"))
            {
                timestamps = true;
            } else if changed.iter().all(|k| k == "Annots")
                && superset(old, new, old_obj, new_obj, b"Annots")
            {
                let page_number = final_doc
                    .pages()
                    .iter()
                    .find(|p| p.id == *id)
                    .map(|p| p.number);
                judge_new_annotations(
                    old,
                    new,
                    old_obj,
                    new_obj,
                    &new_fields,
                    certified,
                    page_number,
                    &mut changes,
                    &mut reasons,
                );
            } else {
                reasons.push(format!("page {label} changed ({})", changed.join(", ")));
            }
        } else if annots_arrays.contains(id) {
            let appended = match (old_obj, new_obj) {
                (Object::Array(o), Object::Array(n)) => {
                    n.iter().filter(|x| !o.contains(x)).cloned().collect()
                }
                _ => Vec::new(),
            };
            if array_superset(old_obj, new_obj) && only_timestamps(appended) {
                timestamps = true;
            } else if array_superset(old_obj, new_obj) {
                changes.push("page annotations".to_owned());
            } else {
                reasons.push("annotations were removed from a page".to_owned());
            }
        } else if old_fields.contains(id) || new_fields.contains(id) {
            judge_field_change(
                old,
                old_obj,
                new_obj,
                &label,
                certified,
                &mut changes,
                &mut reasons,
            );
        } else if Some(*id) == info_id || Some(*id) == metadata_id {
            changes.push("document metadata".to_owned());
        } else {
            reasons.push(format!("{label} changed"));
        }
    }
    if certified == Some(1) && !changes.is_empty() {
        reasons.push(format!(
            "the certification signature allows no change (DocMDP P=1), but: {}",
            changes.join("; ")
        ));
    }
    if validation_data {
        changes.push("validation data (the document security store)".to_owned());
    }
    if timestamps {
        changes.push("a document time-stamp".to_owned());
    }
    changes.dedup();
    if changes.is_empty() && reasons.is_empty() {
        changes.push("a later update that changes no object".to_owned());
    }
    Ok(if !reasons.is_empty() {
        Modifications::Disallowed { reasons }
    } else {
        Modifications::Allowed { changes }
    })
}

/// The objects a catalog's `/DSS` is made of: its dictionary, its arrays,
/// its `/VRI` dictionary and entries, and the streams they list.
fn dss_objects(doc: &lopdf::Document, dss: &Object) -> HashSet<ObjectId> {
    fn walk(doc: &lopdf::Document, object: &Object, depth: u8, into: &mut HashSet<ObjectId>) {
        if depth > 4 {
            return;
        }
        match object {
            Object::Reference(id) => {
                if into.insert(*id)
                    && let Ok(target) = doc.get_object(*id)
                    && !matches!(target, Object::Stream(_))
                {
                    walk(doc, target, depth + 1, into);
                }
            }
            Object::Array(items) => items.iter().for_each(|i| walk(doc, i, depth + 1, into)),
            Object::Dictionary(dict) => {
                dict.iter().for_each(|(_, v)| walk(doc, v, depth + 1, into))
            }
            _ => {}
        }
    }
    let mut ids = HashSet::new();
    walk(doc, dss, 0, &mut ids);
    ids
}

/// Stream equality on dictionary and data (not on file positions).
fn same_object(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Stream(x), Object::Stream(y)) => x.dict == y.dict && x.content == y.content,
        _ => a == b,
    }
}

fn changed_keys(old: &Object, new: &Object) -> Vec<String> {
    let (Some(o), Some(n)) = (object::as_dict(old), object::as_dict(new)) else {
        return vec!["(type)".to_owned()];
    };
    let mut keys: BTreeMap<Vec<u8>, ()> = BTreeMap::new();
    for (k, v) in o.iter() {
        if n.get(k).ok() != Some(v) {
            keys.insert(k.clone(), ());
        }
    }
    for (k, _) in n.iter() {
        if !o.has(k) {
            keys.insert(k.clone(), ());
        }
    }
    keys.keys()
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect()
}

fn references(doc: &Document, dict: &Object, key: &[u8]) -> Vec<Object> {
    object::as_dict(dict)
        .and_then(|d| object::lookup_array(doc, d, key).ok().flatten())
        .cloned()
        .unwrap_or_default()
}

fn superset(
    old_doc: &Document,
    new_doc: &Document,
    old: &Object,
    new: &Object,
    key: &[u8],
) -> bool {
    let before = references(old_doc, old, key);
    let after = references(new_doc, new, key);
    before.iter().all(|o| after.contains(o))
}

/// The entries of `new`'s array `key` that `old`'s lacks.
fn added(
    old_doc: &Document,
    new_doc: &Document,
    old: &Object,
    new: &Object,
    key: &[u8],
) -> Vec<Object> {
    let before = references(old_doc, old, key);
    references(new_doc, new, key)
        .into_iter()
        .filter(|o| !before.contains(o))
        .collect()
}

/// Whether field `id` is a signature field whose value is a document
/// time-stamp (`/V` → `/Type /DocTimeStamp`).
fn is_document_timestamp_field(doc: &Document, id: ObjectId) -> bool {
    let Ok(field) = object::get_dict(doc, id) else {
        return false;
    };
    let is_sig = object::lookup_name(doc, field, b"FT").ok().flatten() == Some(b"Sig");
    let value = object::lookup_dict(doc, field, b"V").ok().flatten();
    is_sig
        && value.is_some_and(|v| {
            object::lookup_name(doc, v, b"Type").ok().flatten() == Some(b"DocTimeStamp")
        })
}

fn array_superset(old: &Object, new: &Object) -> bool {
    match (old, new) {
        (Object::Array(o), Object::Array(n)) => o.iter().all(|x| n.contains(x)),
        _ => false,
    }
}

#[allow(clippy::too_many_arguments)]
fn judge_new_annotations(
    old_doc: &Document,
    new_doc: &Document,
    old: &Object,
    new: &Object,
    new_fields: &HashSet<ObjectId>,
    certified: Option<i64>,
    page_number: Option<u32>,
    changes: &mut Vec<String>,
    reasons: &mut Vec<String>,
) {
    let page = page_number.map_or_else(|| "a page".to_owned(), |n| format!("page {n}"));
    let before = references(old_doc, old, b"Annots");
    for annot in references(new_doc, new, b"Annots") {
        if before.contains(&annot) {
            continue;
        }
        let Ok(id) = annot.as_reference() else {
            reasons.push("a direct annotation was added".to_owned());
            continue;
        };
        let dict = object::get_dict(new_doc, id).ok();
        let is_widget =
            dict.is_some_and(|d| d.get(b"Subtype").ok() == Some(&Object::Name(b"Widget".to_vec())));
        let is_sig = dict
            .is_some_and(|d| object::lookup_name(new_doc, d, b"FT").ok().flatten() == Some(b"Sig"));
        let visible = dict
            .and_then(|d| d.get(b"Rect").ok())
            .and_then(|r| object::as_rect(new_doc, r).ok().flatten())
            .is_some();
        if is_widget && is_sig && new_fields.contains(&id) && !(visible && certified.is_some()) {
            changes.push("a signature field was added".to_owned());
        } else if is_widget && is_sig && new_fields.contains(&id) {
            reasons.push(
                "a visible signature field was added after the certification signature".to_owned(),
            );
        } else if is_widget {
            reasons.push("a form field other than a signature field was added".to_owned());
        } else {
            // Anything but a widget changes what the page shows (a FreeText
            // restating a salary, a Stamp over the text, a Link or a Square
            // over a clause): the signer never saw it. Only a certification
            // with DocMDP P=3 allows annotations (ISO 32000-2 §12.8.2.2);
            // an approval signature alone allows form filling and new
            // signatures, as pyHanko's difference analysis judges too.
            let subtype = dict
                .and_then(|d| object::lookup_name(new_doc, d, b"Subtype").ok().flatten())
                .map_or_else(
                    || "untyped".to_owned(),
                    |n| format!("/{}", String::from_utf8_lossy(n)),
                );
            let what = format!("a {subtype} annotation was added on {page}");
            if certified == Some(3) {
                changes.push(what);
            } else {
                reasons.push(format!("{what}: it changes what the signed page shows"));
            }
        }
    }
}

fn judge_field_change(
    old_doc: &Document,
    old: &Object,
    new: &Object,
    label: &str,
    certified: Option<i64>,
    changes: &mut Vec<String>,
    reasons: &mut Vec<String>,
) {
    let changed = changed_keys(old, new);
    let is_sig = object::as_dict(old)
        .and_then(|d| object::lookup_name(old_doc, d, b"FT").ok().flatten())
        == Some(b"Sig");
    let previously_signed = is_sig && object::as_dict(old).is_some_and(|d| d.has(b"V"));
    if previously_signed {
        reasons.push(format!(
            "signed signature field {label} was changed ({})",
            changed.join(", ")
        ));
        return;
    }
    if changed
        .iter()
        .all(|k| ["V", "AP", "AS"].contains(&k.as_str()))
    {
        if certified == Some(1) {
            reasons.push(format!("field {label} was filled under DocMDP P=1"));
        } else {
            changes.push(if is_sig {
                "a signature field was signed".to_owned()
            } else {
                "a form field was filled".to_owned()
            });
        }
    } else {
        reasons.push(format!("field {label} changed ({})", changed.join(", ")));
    }
}

/// Every field and widget object of a document's form.
fn field_ids(doc: &Pdf<'_>) -> Result<HashSet<ObjectId>> {
    let d = &doc.doc;
    let mut ids = HashSet::new();
    let Ok(catalog) = doc.catalog() else {
        return Ok(ids);
    };
    let Some(acroform) = object::lookup_dict(d, catalog, b"AcroForm")? else {
        return Ok(ids);
    };
    let mut stack: Vec<ObjectId> = object::lookup_array(d, acroform, b"Fields")?
        .map(|a| a.iter().filter_map(|o| o.as_reference().ok()).collect())
        .unwrap_or_default();
    while let Some(id) = stack.pop() {
        if !ids.insert(id) || ids.len() > 100_000 {
            continue;
        }
        if let Ok(dict) = object::get_dict(d, id)
            && let Some(kids) = object::lookup_array(d, dict, b"Kids")?
        {
            stack.extend(kids.iter().filter_map(|o| o.as_reference().ok()));
        }
    }
    Ok(ids)
}
