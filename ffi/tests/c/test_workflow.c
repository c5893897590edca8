/*
 * The signing workflow over the C ABI: an envelope with two signers in
 * sequence from draft to completed (upload, prepare at send, a certificate
 * of their own for each signer from the platform CA, each signer's
 * signature, finalize with the sealed audit trail), the audit trail's
 * verification and its evidence rendered and sealed again, and the error
 * paths of each step. The final document and the audit trail are written
 * to PARAPH_OUT_DIR, where tests/c.rs hands them to the validators.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "paths.h"

static const char *SENDER = "{\"now\":\"2026-11-23T09:00:00Z\","
                            "\"actor\":{\"type\":\"apiKey\",\"id\":\"key_1\"}}";
static const char *SYSTEM = "{\"now\":\"2026-11-23T11:00:00Z\",\"actor\":{\"type\":\"system\"}}";
/* 2026-11-23T10:00:00Z */
static const int64_t SIGNING_TIME = 1795428000;

/* The envelope's whole history, a JSON array grown from each step's events. */
static char *history;
static size_t history_len;

static void record(const paraph_bytes *events) {
  const char *text = bytes_text(events);
  size_t len = paraph_bytes_len(events);
  if (!CHECK(len >= 2 && text[0] == '[' && text[len - 1] == ']') || len == 2) {
    return;
  }
  history = (char *)realloc(history, history_len + len + 2);
  if (history_len == 0) {
    history[history_len++] = '[';
  } else {
    history[history_len - 1] = ','; /* the closing bracket */
  }
  memcpy(history + history_len, text + 1, len - 1); /* elements and "]" */
  history_len += len - 1;
  history[history_len] = '\0';
}

static void replace(paraph_bytes **slot, paraph_bytes *next) {
  paraph_bytes_free(*slot);
  *slot = next;
}

static void apply(paraph_bytes **state, const char *command, size_t command_len,
                  const char *context) {
  paraph_bytes *next = NULL, *events = NULL;
  const char *state_json = *state ? bytes_text(*state) : NULL;
  size_t state_len = *state ? paraph_bytes_len(*state) : 0;
  if (!CHECK_RESULT(paraph_envelope_apply(state_json, state_len, command, command_len,
                                          TEXT(context), &next, &events),
                    PARAPH_OK)) {
    fprintf(stderr, "  command: %.*s\n", (int)command_len, command);
    exit(finish("test_workflow"));
  }
  record(events);
  paraph_bytes_free(events);
  replace(state, next);
}

#define APPLY(state, command, context) apply((state), TEXT(command), (context))

static uint8_t *fixture(const char *name, size_t *len) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", PARAPH_FIXTURES, name);
  return read_file(path, len);
}

static void out_file(const char *name, const paraph_bytes *bytes) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", PARAPH_OUT_DIR, name);
  write_file(path, paraph_bytes_data(bytes), paraph_bytes_len(bytes));
}

static const char *recipient_context(const char *id, char *buffer, size_t size) {
  snprintf(buffer, size,
           "{\"now\":\"2026-11-23T10:00:00Z\",\"actor\":{\"type\":\"recipient\",\"id\":\"%s\"},"
           "\"ip\":\"192.0.2.7\",\"userAgent\":\"test_workflow.c\"}",
           id);
  return buffer;
}

/* A signer's turn: view, consent, a certificate of their own, and the signature. */
static void sign_as(paraph_bytes **state, paraph_bytes **documents, const paraph_signer *ca,
                    const char *id, const char *typed_name, const paraph_bytes *stale) {
  char context[512], command[512], input[512];
  uint8_t entropy[32];
  paraph_signer *signer = NULL;
  paraph_bytes *next = NULL, *events = NULL, *signed_documents = NULL;
  size_t i;

  recipient_context(id, context, sizeof context);
  snprintf(command, sizeof command, "{\"type\":\"view\",\"recipientId\":\"%s\"}", id);
  APPLY(state, command, context);
  snprintf(command, sizeof command,
           "{\"type\":\"consent\",\"recipientId\":\"%s\",\"version\":\"2026-11\","
           "\"textSha256\":\"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\"}",
           id);
  APPLY(state, command, context);

  /* The caller's random bytes (fixed here, so the run is reproducible). */
  for (i = 0; i < sizeof entropy; i++) {
    entropy[i] = (uint8_t)(i * 7 + (uint8_t)id[0]);
  }
  CHECK_RESULT(paraph_workflow_issue_signer(bytes_text(*state), paraph_bytes_len(*state), TEXT(id),
                                            ca, entropy, sizeof entropy, NULL, 0, SIGNING_TIME,
                                            &signer),
               PARAPH_OK);
  snprintf(input, sizeof input,
           "{\"recipientId\":\"%s\",\"signature\":{\"type\":\"TYPED\",\"text\":\"%s\"}}", id,
           typed_name);
  if (stale != NULL) {
    /* The documents as uploaded are not those the envelope sent. */
    paraph_bytes *unused = SENTINEL, *unused2 = SENTINEL, *unused3 = SENTINEL;
    CHECK_RESULT(paraph_workflow_sign_recipient(bytes_text(*state), paraph_bytes_len(*state),
                                                bytes_text(stale), paraph_bytes_len(stale),
                                                TEXT(input), signer, NULL, NULL, 0, TEXT(context),
                                                &unused, &unused2, &unused3),
                 PARAPH_E_DOCUMENT_MISMATCH);
    CHECK(unused == NULL && unused2 == NULL && unused3 == NULL);
  }
  CHECK_RESULT(paraph_workflow_sign_recipient(bytes_text(*state), paraph_bytes_len(*state),
                                              bytes_text(*documents), paraph_bytes_len(*documents),
                                              TEXT(input), signer, NULL, NULL, 0, TEXT(context),
                                              &next, &events, &signed_documents),
               PARAPH_OK);
  record(events);
  paraph_bytes_free(events);
  replace(state, next);
  replace(documents, signed_documents);
  paraph_signer_free(signer);
}

static void two_signers_from_draft_to_completed(void) {
  size_t pdf_len = 0, key_len = 0, chain_len = 0, seal_len = 0;
  uint8_t *pdf = fixture("pdf/reportlab-contract.pdf", &pdf_len);
  uint8_t *ca_key = fixture("certs/rsa/intermediate.key", &key_len);
  uint8_t *ca_chain = fixture("certs/rsa/chain.pem", &chain_len);
  uint8_t *seal = fixture("certs/demo/seal.p12", &seal_len);
  paraph_signer *ca = NULL, *platform = NULL, *not_a_ca = NULL, *unused_signer = SENTINEL;
  paraph_bytes *state = NULL, *documents = NULL, *add_document = NULL, *sent = NULL;
  paraph_bytes *send = NULL, *final_state = NULL, *events = NULL, *final_documents = NULL;
  paraph_bytes *evidence = NULL, *trail = NULL, *final_pdf = NULL, *uploaded = NULL;
  paraph_bytes *unused = SENTINEL, *unused2 = SENTINEL, *unused3 = SENTINEL;
  paraph_bytes *unused4 = SENTINEL, *unused5 = SENTINEL, *report = NULL;
  paraph_document *signed_document = NULL;
  char context[512];
  uint8_t entropy[32] = {0};

  CHECK_RESULT(paraph_signer_from_pem(ca_key, key_len, ca_chain, chain_len, &ca), PARAPH_OK);
  CHECK_RESULT(paraph_signer_from_pkcs12(seal, seal_len, TEXT("test"), &platform), PARAPH_OK);

  APPLY(&state, "{\"type\":\"create\",\"id\":\"env_c\",\"subject\":\"Employment contract\"}",
        SENDER);
  /* Upload: the addDocument command (pages, sizes, digest) and the documents JSON. */
  CHECK_RESULT(paraph_workflow_upload(NULL, 0, TEXT("contract"), TEXT("contract.pdf"),
                                      BYTES("not a pdf"), &unused, &unused2),
               PARAPH_E_PDF_MALFORMED);
  CHECK(unused == NULL && unused2 == NULL);
  CHECK_RESULT(paraph_workflow_upload(NULL, 0, TEXT("contract"), TEXT("contract.pdf"), pdf,
                                      pdf_len, &add_document, &documents),
               PARAPH_OK);
  CHECK(bytes_contain(add_document, "\"type\":\"addDocument\""));
  CHECK(bytes_contain(add_document, "\"pageCount\":2"));
  apply(&state, bytes_text(add_document), paraph_bytes_len(add_document), SENDER);
  CHECK_RESULT(paraph_workflow_document(bytes_text(documents), paraph_bytes_len(documents),
                                        TEXT("contract"), &uploaded),
               PARAPH_OK);
  CHECK(paraph_bytes_len(uploaded) == pdf_len &&
        memcmp(paraph_bytes_data(uploaded), pdf, pdf_len) == 0);
  CHECK_RESULT(paraph_workflow_document(bytes_text(documents), paraph_bytes_len(documents),
                                        TEXT("annex"), &unused),
               PARAPH_E_DOCUMENT_NOT_FOUND);

  APPLY(&state,
        "{\"type\":\"addRecipient\",\"id\":\"alice\",\"name\":\"Alice Martin\","
        "\"email\":\"alice@example.com\",\"routingOrder\":1}",
        SENDER);
  APPLY(&state,
        "{\"type\":\"addRecipient\",\"id\":\"bob\",\"name\":\"Bob Dupont\","
        "\"email\":\"bob@example.com\",\"routingOrder\":2}",
        SENDER);
  APPLY(&state,
        "{\"type\":\"addField\",\"id\":\"sig_alice\",\"documentId\":\"contract\","
        "\"recipientId\":\"alice\",\"kind\":\"SIGNATURE\",\"page\":2,"
        "\"rect\":{\"x\":72,\"y\":600,\"width\":200,\"height\":60}}",
        SENDER);
  APPLY(&state,
        "{\"type\":\"addField\",\"id\":\"sig_bob\",\"documentId\":\"contract\","
        "\"recipientId\":\"bob\",\"kind\":\"SIGNATURE\",\"page\":2,"
        "\"rect\":{\"x\":300,\"y\":600,\"width\":200,\"height\":60}}",
        SENDER);

  /* Prepare: the fields go into the PDF; the send command records the digests. */
  CHECK_RESULT(paraph_workflow_prepare(bytes_text(state), paraph_bytes_len(state),
                                       bytes_text(documents), paraph_bytes_len(documents), NULL,
                                       TEXT("{\"certify\":1}"), &unused, &unused2),
               PARAPH_E_MALFORMED_JSON);
  CHECK_RESULT(paraph_workflow_prepare(bytes_text(state), paraph_bytes_len(state),
                                       bytes_text(documents), paraph_bytes_len(documents), NULL,
                                       NULL, 0, &sent, &send),
               PARAPH_OK);
  CHECK(bytes_contain(send, "\"type\":\"send\""));
  apply(&state, bytes_text(send), paraph_bytes_len(send), SENDER);
  CHECK(bytes_contain(state, "\"status\":\"SENT\""));
  CHECK_RESULT(paraph_workflow_prepare(bytes_text(state), paraph_bytes_len(state),
                                       bytes_text(sent), paraph_bytes_len(sent), NULL, NULL, 0,
                                       &unused, &unused2),
               PARAPH_E_ENVELOPE_NOT_DRAFT);

  /* Certificates: only for signers of the envelope, from a CA, with enough entropy. */
  CHECK_RESULT(paraph_workflow_issue_signer(bytes_text(state), paraph_bytes_len(state),
                                            TEXT("mallory"), ca, entropy, sizeof entropy, NULL, 0,
                                            SIGNING_TIME, &unused_signer),
               PARAPH_E_RECIPIENT_NOT_FOUND);
  CHECK(unused_signer == NULL);
  CHECK_RESULT(paraph_workflow_issue_signer(bytes_text(state), paraph_bytes_len(state),
                                            TEXT("alice"), ca, entropy, 8, NULL, 0, SIGNING_TIME,
                                            &unused_signer),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(paraph_signer_from_pkcs12(seal, seal_len, TEXT("test"), &not_a_ca), PARAPH_OK);
  CHECK_RESULT(paraph_workflow_issue_signer(bytes_text(state), paraph_bytes_len(state),
                                            TEXT("alice"), not_a_ca, entropy, sizeof entropy, NULL,
                                            0, SIGNING_TIME, &unused_signer),
               PARAPH_E_CERT_NOT_CA);
  CHECK_RESULT(paraph_workflow_issue_signer(bytes_text(state), paraph_bytes_len(state),
                                            TEXT("alice"), NULL, entropy, sizeof entropy, NULL, 0,
                                            SIGNING_TIME, &unused_signer),
               PARAPH_E_INVALID_ARGUMENT);

  /* Bob's turn has not come; the documents as uploaded are not those sent. */
  recipient_context("bob", context, sizeof context);
  CHECK_RESULT(paraph_workflow_sign_recipient(
                   bytes_text(state), paraph_bytes_len(state), bytes_text(sent),
                   paraph_bytes_len(sent), TEXT("{\"recipientId\":\"bob\"}"), not_a_ca, NULL, NULL,
                   0, TEXT(context), &unused, &unused2, &unused3),
               PARAPH_E_RECIPIENT_NOT_ACTIVE);
  CHECK(unused == NULL && unused2 == NULL && unused3 == NULL);
  recipient_context("alice", context, sizeof context);
  CHECK_RESULT(paraph_workflow_sign_recipient(
                   bytes_text(state), paraph_bytes_len(state), bytes_text(sent),
                   paraph_bytes_len(sent), TEXT("{\"recipient\":\"alice\"}"), not_a_ca, NULL, NULL,
                   0, TEXT(context), &unused, &unused2, &unused3),
               PARAPH_E_MALFORMED_JSON);
  paraph_signer_free(not_a_ca);

  /* Finalizing before everyone signed. */
  CHECK_RESULT(paraph_workflow_finalize(bytes_text(state), paraph_bytes_len(state), history,
                                        history_len, bytes_text(sent), paraph_bytes_len(sent),
                                        platform, NULL, NULL, 0, TEXT(SYSTEM), &unused, &unused2,
                                        &unused3, &unused4, &unused5),
               PARAPH_E_ENVELOPE_NOT_READY);
  CHECK(unused4 == NULL && unused5 == NULL);

  sign_as(&state, &sent, ca, "alice", "Alice Martin", documents);
  sign_as(&state, &sent, ca, "bob", "Bob Dupont", NULL);
  replace(&documents, sent);
  sent = NULL;

  /* Finalize: the completion, the evidence and the sealed audit trail. */
  CHECK_RESULT(paraph_workflow_finalize(bytes_text(state), paraph_bytes_len(state), history,
                                        history_len, bytes_text(documents),
                                        paraph_bytes_len(documents), platform, NULL, NULL, 0,
                                        TEXT(SYSTEM), &final_state, &events, &final_documents,
                                        &evidence, &trail),
               PARAPH_OK);
  record(events);
  paraph_bytes_free(events);
  CHECK(bytes_contain(final_state, "\"status\":\"COMPLETED\""));
  CHECK(bytes_contain(evidence, "\"envelope\""));
  CHECK(memcmp(paraph_bytes_data(trail), "%PDF-", 5) == 0);
  CHECK_RESULT(paraph_workflow_document(bytes_text(final_documents),
                                        paraph_bytes_len(final_documents), TEXT("contract"),
                                        &final_pdf),
               PARAPH_OK);
  out_file("workflow-contract.pdf", final_pdf);
  out_file("workflow-audit-trail.pdf", trail);

  /* Two signatures, one per signer, each named in their certificate. */
  CHECK_RESULT(paraph_document_open(paraph_bytes_data(final_pdf), paraph_bytes_len(final_pdf),
                                    &signed_document),
               PARAPH_OK);
  CHECK_RESULT(paraph_document_verify(signed_document, ca_chain, chain_len, SIGNING_TIME + 3600,
                                      &report),
               PARAPH_OK);
  CHECK(bytes_contain(report, "\"fieldName\":\"sig_alice\""));
  CHECK(bytes_contain(report, "\"fieldName\":\"sig_bob\""));
  CHECK(bytes_contain(report, "\"commonName\":\"Alice Martin\""));
  CHECK(bytes_contain(report, "\"commonName\":\"Bob Dupont\""));
  paraph_bytes_free(report);
  CHECK_RESULT(paraph_document_verify_verdict(signed_document, ca_chain, chain_len,
                                              SIGNING_TIME + 3600),
               PARAPH_OK);

  /* The audit trail attests this document, and no other. */
  CHECK_RESULT(paraph_audit_verify_verdict(paraph_bytes_data(trail), paraph_bytes_len(trail),
                                           paraph_bytes_data(final_pdf),
                                           paraph_bytes_len(final_pdf), NULL, 0,
                                           SIGNING_TIME + 3600),
               PARAPH_OK);
  CHECK_RESULT(paraph_audit_verify_verdict(paraph_bytes_data(trail), paraph_bytes_len(trail), pdf,
                                           pdf_len, NULL, 0, SIGNING_TIME + 3600),
               PARAPH_E_AUDIT_DOCUMENT_MISMATCH);
  CHECK_RESULT(paraph_audit_verify(paraph_bytes_data(trail), paraph_bytes_len(trail), NULL, 0, NULL,
                                   0, SIGNING_TIME + 3600, &report),
               PARAPH_OK);
  CHECK(bytes_contain(report, "\"sealIntact\":true"));
  CHECK(bytes_contain(report, "\"envelopeId\":\"env_c\""));
  paraph_bytes_free(report);
  CHECK_RESULT(paraph_audit_verify(pdf, pdf_len, NULL, 0, NULL, 0, SIGNING_TIME, &unused),
               PARAPH_E_AUDIT_EVIDENCE_NOT_FOUND);

  /* The evidence as a paraph_audit: rendered again and sealed again. */
  {
    paraph_audit *audit = NULL, *from_history = NULL, *none = SENTINEL;
    paraph_bytes *rendered = NULL, *sealed = NULL, *json = NULL, *check = NULL;
    CHECK_RESULT(paraph_audit_from_json(bytes_text(evidence), paraph_bytes_len(evidence), &audit),
                 PARAPH_OK);
    CHECK_RESULT(paraph_audit_to_json(audit, &json), PARAPH_OK);
    CHECK(paraph_bytes_len(json) == paraph_bytes_len(evidence) &&
          memcmp(paraph_bytes_data(json), paraph_bytes_data(evidence), paraph_bytes_len(json)) ==
              0);
    CHECK_RESULT(paraph_audit_check(audit, &check), PARAPH_OK);
    CHECK(bytes_contain(check, "\"firstBreak\":null"));
    CHECK_RESULT(paraph_audit_render(audit, TEXT("{\"locale\":\"fr\"}"), &rendered), PARAPH_OK);
    CHECK_RESULT(paraph_audit_seal(paraph_bytes_data(rendered), paraph_bytes_len(rendered),
                                   platform, NULL, SIGNING_TIME + 7200, &sealed),
                 PARAPH_OK);
    CHECK_RESULT(paraph_audit_verify_verdict(paraph_bytes_data(sealed), paraph_bytes_len(sealed),
                                             paraph_bytes_data(final_pdf),
                                             paraph_bytes_len(final_pdf), NULL, 0,
                                             SIGNING_TIME + 7200),
                 PARAPH_OK);
    CHECK_RESULT(paraph_audit_render(audit, TEXT("{\"locale\":\"xx\"}"), &unused),
                 PARAPH_E_MALFORMED_JSON);
    CHECK_RESULT(paraph_audit_from_json(TEXT("{}"), &from_history),
                 PARAPH_E_AUDIT_EVIDENCE_INVALID);
    CHECK_RESULT(paraph_audit_from_events(history, history_len, SIGNING_TIME + 7200,
                                          &from_history),
                 PARAPH_OK);
    CHECK_RESULT(paraph_audit_from_events(TEXT("[]"), SIGNING_TIME, &none),
                 PARAPH_E_INVALID_EVENT_LOG);
    CHECK(none == NULL);
    CHECK_RESULT(paraph_audit_render(NULL, NULL, 0, &unused), PARAPH_E_INVALID_ARGUMENT);
    paraph_audit_free(from_history);
    paraph_audit_free(audit);
    paraph_audit_free(NULL);
    paraph_bytes_free(rendered);
    paraph_bytes_free(sealed);
    paraph_bytes_free(json);
    paraph_bytes_free(check);
  }

  paraph_document_free(signed_document);
  paraph_bytes_free(final_pdf);
  paraph_bytes_free(uploaded);
  paraph_bytes_free(final_state);
  paraph_bytes_free(final_documents);
  paraph_bytes_free(evidence);
  paraph_bytes_free(trail);
  paraph_bytes_free(add_document);
  paraph_bytes_free(send);
  paraph_bytes_free(documents);
  paraph_bytes_free(state);
  paraph_signer_free(ca);
  paraph_signer_free(platform);
  free(pdf);
  free(ca_key);
  free(ca_chain);
  free(seal);
}

int main(void) {
  two_signers_from_draft_to_completed();
  free(history);
  return finish("test_workflow");
}
