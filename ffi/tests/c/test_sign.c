/*
 * Signing over the C ABI: signers from PKCS#12 (and a wrong password) and
 * PEM, signing invisibly and into a field with a drawn image, verifying
 * (the report as JSON and the one-code verdict), the two-phase
 * prepare/finish with its checks, signers and time-stamp authorities
 * backed by C callbacks and their failures (and B-T through a callback to
 * `openssl ts`), an expired certificate, and
 * the NULL / wrong-handle paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "paths.h"

/* 2026-11-23T10:00:00Z: every test certificate but the expired one is valid. */
static const int64_t NOW = 1795428000;

static uint8_t *fixture(const char *name, size_t *len) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", PARAPH_FIXTURES, name);
  return read_file(path, len);
}

static paraph_document *open_pdf(const char *name) {
  size_t len = 0;
  uint8_t *pdf = fixture(name, &len);
  paraph_document *document = NULL;
  CHECK_RESULT(paraph_document_open(pdf, len, &document), PARAPH_OK);
  free(pdf);
  return document;
}

static paraph_signer *pkcs12(const char *name, const char *password) {
  size_t len = 0;
  uint8_t *der = fixture(name, &len);
  paraph_signer *signer = NULL;
  CHECK_RESULT(paraph_signer_from_pkcs12(der, len, TEXT(password), &signer), PARAPH_OK);
  free(der);
  return signer;
}

static paraph_document *open_bytes(const paraph_bytes *pdf) {
  paraph_document *document = NULL;
  CHECK_RESULT(paraph_document_open(paraph_bytes_data(pdf), paraph_bytes_len(pdf), &document),
               PARAPH_OK);
  return document;
}

/* The verdict against one root of the test PKI. */
static paraph_result verdict(const paraph_document *document, const char *root) {
  size_t len = 0;
  uint8_t *pem = fixture(root, &len);
  paraph_result result = paraph_document_verify_verdict(document, pem, len, NOW);
  free(pem);
  return result;
}

static void signers_come_from_pkcs12_and_pem(void) {
  size_t der_len = 0, key_len = 0, cert_len = 0;
  uint8_t *der = fixture("certs/ec/signer.p12", &der_len);
  uint8_t *key = fixture("certs/rsa/signer.key", &key_len);
  uint8_t *cert = fixture("certs/rsa/signer.pem", &cert_len);
  paraph_signer *signer = SENTINEL;
  paraph_bytes *pem = NULL;

  CHECK_RESULT(paraph_signer_from_pkcs12(der, der_len, TEXT("wrong"), &signer),
               PARAPH_E_PKCS12_BAD_PASSWORD);
  CHECK(signer == NULL);
  CHECK_MESSAGE_STARTS("paraph_signer_from_pkcs12: ");
  CHECK_RESULT(paraph_signer_from_pkcs12(BYTES("not pkcs12"), TEXT("test"), &signer),
               PARAPH_E_PKCS12_INVALID);
  CHECK_RESULT(paraph_signer_from_pkcs12(NULL, 0, TEXT("test"), &signer),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(paraph_signer_from_pkcs12(der, der_len, TEXT("test"), NULL),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(paraph_signer_from_pkcs12(der, der_len, TEXT("test"), &signer), PARAPH_OK);
  CHECK_RESULT(paraph_signer_certificates(signer, &pem), PARAPH_OK);
  CHECK(bytes_contain(pem, "-----BEGIN CERTIFICATE-----\n"));
  paraph_bytes_free(pem);
  paraph_signer_free(signer);

  CHECK_RESULT(paraph_signer_from_pem(key, key_len, cert, cert_len, &signer), PARAPH_OK);
  paraph_signer_free(signer);
  CHECK_RESULT(paraph_signer_from_pem(BYTES("-----BEGIN PRIVATE KEY-----\nAAAA\n"), cert, cert_len,
                                      &signer),
               PARAPH_E_KEY_INVALID);
  CHECK_RESULT(paraph_signer_from_pem(key, key_len, BYTES("garbage"), &signer),
               PARAPH_E_CERT_INVALID);
  CHECK_RESULT(paraph_signer_from_pem(key, key_len, NULL, 0, &signer), PARAPH_E_INVALID_ARGUMENT);
  free(der);
  free(key);
  free(cert);
  /* Another key's certificate. */
  key = fixture("certs/rsa/signer2.key", &key_len);
  cert = fixture("certs/rsa/signer.pem", &cert_len);
  CHECK_RESULT(paraph_signer_from_pem(key, key_len, cert, cert_len, &signer),
               PARAPH_E_KEY_CERT_MISMATCH);
  free(key);
  free(cert);
}

static void a_signature_verifies_and_an_expired_certificate_is_refused(void) {
  paraph_document *document = open_pdf("pdf/reportlab-contract.pdf");
  paraph_signer *signer = pkcs12("certs/ec/signer.p12", "test");
  paraph_signer *expired = pkcs12("certs/ec/expired.p12", "test");
  paraph_bytes *signed_pdf = NULL, *report = NULL, *unused = SENTINEL;
  paraph_document *signed_document;

  CHECK(verdict(document, "certs/ec/root.pem") == PARAPH_E_SIGNATURE_NOT_FOUND);
  CHECK_RESULT(paraph_document_sign(document, signer, NULL, NULL, 0, TEXT("Marie Dupré"),
                                    TEXT("I approve"), NULL, 0, NOW, &signed_pdf),
               PARAPH_OK);
  signed_document = open_bytes(signed_pdf);
  CHECK_RESULT(paraph_document_verify(signed_document, NULL, 0, NOW, &report), PARAPH_OK);
  CHECK(bytes_contain(report, "\"digestValid\":true"));
  CHECK(bytes_contain(report, "\"signatureValid\":true"));
  CHECK(bytes_contain(report, "\"coverage\""));
  paraph_bytes_free(report);
  CHECK_RESULT(verdict(signed_document, "certs/ec/root.pem"), PARAPH_OK);
  CHECK_RESULT(verdict(signed_document, "certs/rsa/root.pem"), PARAPH_E_CERT_UNTRUSTED);
  CHECK_RESULT(paraph_document_verify(signed_document, BYTES("garbage"), NOW, &report),
               PARAPH_E_CERT_INVALID);
  paraph_document_free(signed_document);
  paraph_bytes_free(signed_pdf);

  CHECK_RESULT(paraph_document_sign(document, expired, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0,
                                    NOW, &unused),
               PARAPH_E_CERT_EXPIRED);
  CHECK(unused == NULL);
  CHECK_MESSAGE_STARTS("paraph_document_sign: ");
  paraph_signer_free(expired);
  paraph_signer_free(signer);
  paraph_document_free(document);
}

static void a_field_gets_a_visible_signature_with_an_image(void) {
  const char *spec = "[{\"name\":\"sig_1\",\"kind\":\"SIGNATURE\",\"page\":1,"
                     "\"rect\":{\"x\":72,\"y\":600,\"width\":200,\"height\":60}}]";
  paraph_document *original = open_pdf("pdf/reportlab-contract.pdf");
  paraph_document *document = NULL, *signed_document;
  paraph_signer *signer = pkcs12("certs/rsa/signer.p12", "test");
  paraph_bytes *signed_pdf = NULL, *fields = NULL, *unused = SENTINEL;
  size_t png_len = 0;
  uint8_t *png = fixture("images/signature.png", &png_len);

  CHECK_RESULT(paraph_document_add_fields(original, TEXT(spec), &document), PARAPH_OK);
  CHECK_RESULT(paraph_document_sign(document, signer, NULL, TEXT("sig_1"), TEXT("Jun-ho Kim"), NULL,
                                    0, png, png_len, NOW, &signed_pdf),
               PARAPH_OK);
  signed_document = open_bytes(signed_pdf);
  CHECK_RESULT(paraph_document_fields(signed_document, &fields), PARAPH_OK);
  CHECK(bytes_contain(fields, "\"name\":\"sig_1\",\"type\":\"SIGNATURE\",\"value\":null,"
                              "\"signed\":true"));
  CHECK_RESULT(verdict(signed_document, "certs/rsa/root.pem"), PARAPH_OK);
  /* The same field again; a field that does not exist; an image that is not a PNG. */
  CHECK_RESULT(paraph_document_sign(signed_document, signer, NULL, TEXT("sig_1"), NULL, 0, NULL, 0,
                                    NULL, 0, NOW, &unused),
               PARAPH_E_PDF_FIELD_ALREADY_SIGNED);
  CHECK_RESULT(paraph_document_sign(document, signer, NULL, TEXT("nope"), NULL, 0, NULL, 0, NULL, 0,
                                    NOW, &unused),
               PARAPH_E_PDF_FIELD_NOT_FOUND);
  CHECK_RESULT(paraph_document_sign(document, signer, NULL, TEXT("sig_1"), NULL, 0, NULL, 0,
                                    BYTES("not a png"), NOW, &unused),
               PARAPH_E_PDF_IMAGE_INVALID);
  CHECK(unused == NULL);
  paraph_bytes_free(fields);
  paraph_bytes_free(signed_pdf);
  paraph_document_free(signed_document);
  paraph_document_free(document);
  paraph_document_free(original);
  paraph_signer_free(signer);
  free(png);
}

static void two_phases_trust_nothing_of_the_pending_state(void) {
  const char *options = "{\"signingTime\":\"2026-11-23T10:00:00Z\",\"reason\":\"HSM\"}";
  paraph_document *document = open_pdf("pdf/reportlab-contract.pdf");
  paraph_document *other = open_pdf("pdf/reportlab-three-pages.pdf");
  paraph_signer *signer = pkcs12("certs/ec/signer.p12", "test");
  paraph_signer *stranger = pkcs12("certs/ec/signer2.p12", "test");
  paraph_bytes *chain = NULL, *pending = NULL, *message = NULL, *digest = NULL;
  paraph_bytes *value = NULL, *wrong_value = NULL, *signed_pdf = NULL, *unused = SENTINEL;
  paraph_document *signed_document;
  char *changed;

  CHECK_RESULT(paraph_signer_certificates(signer, &chain), PARAPH_OK);
  CHECK_RESULT(paraph_document_prepare_signature(document, paraph_bytes_data(chain),
                                                 paraph_bytes_len(chain), TEXT(options), &pending,
                                                 &message, &digest),
               PARAPH_OK);
  CHECK(bytes_contain(pending, "\"schemaVersion\":2"));
  CHECK(paraph_bytes_len(digest) == 32);
  CHECK(paraph_bytes_len(message) > 32);
  /* The value comes from "elsewhere": here, the same key through paraph. */
  CHECK_RESULT(paraph_signer_sign(signer, paraph_bytes_data(message), paraph_bytes_len(message),
                                  &value),
               PARAPH_OK);
  CHECK_RESULT(paraph_signer_sign(stranger, paraph_bytes_data(message), paraph_bytes_len(message),
                                  &wrong_value),
               PARAPH_OK);

  CHECK_RESULT(paraph_document_finish_signature(
                   other, bytes_text(pending), paraph_bytes_len(pending),
                   paraph_bytes_data(value), paraph_bytes_len(value), NULL, &unused),
               PARAPH_E_PENDING_SIGNATURE_INVALID);
  CHECK(unused == NULL);
  CHECK_RESULT(paraph_document_finish_signature(
                   document, bytes_text(pending), paraph_bytes_len(pending),
                   paraph_bytes_data(wrong_value), paraph_bytes_len(wrong_value), NULL, &unused),
               PARAPH_E_KEY_CERT_MISMATCH);
  /* A pending state edited in transit. */
  changed = (char *)malloc(paraph_bytes_len(pending) + 1);
  memcpy(changed, bytes_text(pending), paraph_bytes_len(pending) + 1);
  {
    char *digest_field = strstr(changed, "\"documentDigest\":\"");
    if (CHECK(digest_field != NULL)) {
      char *hex = digest_field + strlen("\"documentDigest\":\"");
      hex[0] = hex[0] == '0' ? '1' : '0';
    }
  }
  CHECK_RESULT(paraph_document_finish_signature(document, changed, strlen(changed),
                                                paraph_bytes_data(value), paraph_bytes_len(value),
                                                NULL, &unused),
               PARAPH_E_PENDING_SIGNATURE_INVALID);
  memcpy(changed, bytes_text(pending), paraph_bytes_len(pending) + 1);
  changed[strlen("{\"schemaVersion\":")] = '9';
  CHECK_RESULT(paraph_document_finish_signature(document, changed, strlen(changed),
                                                paraph_bytes_data(value), paraph_bytes_len(value),
                                                NULL, &unused),
               PARAPH_E_UNSUPPORTED_SCHEMA_VERSION);
  CHECK_RESULT(paraph_document_finish_signature(document, TEXT("{"), paraph_bytes_data(value),
                                                paraph_bytes_len(value), NULL, &unused),
               PARAPH_E_MALFORMED_JSON);
  free(changed);

  CHECK_RESULT(paraph_document_finish_signature(
                   document, bytes_text(pending), paraph_bytes_len(pending),
                   paraph_bytes_data(value), paraph_bytes_len(value), NULL, &signed_pdf),
               PARAPH_OK);
  signed_document = open_bytes(signed_pdf);
  CHECK_RESULT(verdict(signed_document, "certs/ec/root.pem"), PARAPH_OK);
  paraph_document_free(signed_document);

  /* Preparing refuses an expired chain and bad options. */
  {
    size_t len = 0;
    uint8_t *expired = fixture("certs/ec/expired.pem", &len);
    CHECK_RESULT(paraph_document_prepare_signature(document, expired, len, TEXT(options), &unused,
                                                   &unused, &unused),
                 PARAPH_E_CERT_EXPIRED);
    CHECK_RESULT(paraph_document_prepare_signature(document, expired, len, TEXT("{}"), &unused,
                                                   &unused, &unused),
                 PARAPH_E_MALFORMED_JSON);
    free(expired);
  }
  paraph_bytes_free(chain);
  paraph_bytes_free(pending);
  paraph_bytes_free(message);
  paraph_bytes_free(digest);
  paraph_bytes_free(value);
  paraph_bytes_free(wrong_value);
  paraph_bytes_free(signed_pdf);
  paraph_signer_free(signer);
  paraph_signer_free(stranger);
  paraph_document_free(document);
  paraph_document_free(other);
}

/* A "hardware" key: the callback signs with a paraph signer it holds, and
 * counts its calls. */
struct token {
  paraph_signer *key;
  int calls;
  int fail_with;
  int overflow;
};

static int token_sign(void *user_data, const uint8_t *data, size_t data_len, uint8_t *out,
                      size_t *out_len) {
  struct token *token = (struct token *)user_data;
  paraph_bytes *value = NULL;
  token->calls++;
  if (token->fail_with != 0) {
    return token->fail_with;
  }
  if (paraph_signer_sign(token->key, data, data_len, &value) != PARAPH_OK) {
    return -1;
  }
  if (token->overflow) {
    *out_len = *out_len + 1;
  } else if (paraph_bytes_len(value) <= *out_len) {
    memcpy(out, paraph_bytes_data(value), paraph_bytes_len(value));
    *out_len = paraph_bytes_len(value);
  } else {
    paraph_bytes_free(value);
    return -2;
  }
  paraph_bytes_free(value);
  return 0;
}

static int tsa_down(void *user_data, const uint8_t *request, size_t request_len, uint8_t *out,
                    size_t *out_len) {
  int *calls = (int *)user_data;
  (*calls)++;
  CHECK(request_len > 20 && request[0] == 0x30); /* a DER SEQUENCE */
  CHECK(*out_len == PARAPH_MAX_TIMESTAMP_RESPONSE_LEN);
  (void)out;
  return 503;
}

static int tsa_garbage(void *user_data, const uint8_t *request, size_t request_len, uint8_t *out,
                       size_t *out_len) {
  (void)user_data;
  (void)request;
  (void)request_len;
  memcpy(out, "garbage", 7);
  *out_len = 7;
  return 0;
}

/* A local RFC 3161 authority: `openssl ts -reply` with the test TSA's key,
 * as a caller's HTTP client would reach a real one. */
static char tsa_dir[1024];

static void write_text(const char *name, const char *text) {
  char path[1200];
  snprintf(path, sizeof path, "%s/%s", tsa_dir, name);
  write_file(path, (const uint8_t *)text, strlen(text));
}

static void setup_openssl_tsa(void) {
  char config[4096];
  snprintf(tsa_dir, sizeof tsa_dir, "%s/openssl-tsa", PARAPH_OUT_DIR);
  snprintf(config, sizeof config, "mkdir -p '%s'", tsa_dir);
  if (system(config) != 0) {
    fprintf(stderr, "cannot make %s\n", tsa_dir);
    exit(2);
  }
  write_text("serial", "01\n");
  snprintf(config, sizeof config,
           "[ tsa ]\ndefault_tsa = test_tsa\n[ test_tsa ]\nserial = %s/serial\n"
           "crypto_device = builtin\nsigner_cert = %s/certs/tsa/tsa.pem\n"
           "certs = %s/certs/tsa/chain.pem\nsigner_key = %s/certs/tsa/tsa.key\n"
           "signer_digest = sha256\ndefault_policy = 1.3.6.1.4.1.99999.1\n"
           "digests = sha256\naccuracy = secs:1\nordering = yes\ntsa_name = yes\n"
           "ess_cert_id_chain = no\ness_cert_id_alg = sha256\n",
           tsa_dir, PARAPH_FIXTURES, PARAPH_FIXTURES, PARAPH_FIXTURES);
  write_text("tsa.cnf", config);
}

static int tsa_openssl(void *user_data, const uint8_t *request, size_t request_len, uint8_t *out,
                       size_t *out_len) {
  char path[1200], command[4096];
  size_t len = 0;
  uint8_t *reply;
  (void)user_data;
  snprintf(path, sizeof path, "%s/query.tsq", tsa_dir);
  write_file(path, request, request_len);
  snprintf(command, sizeof command,
           "openssl ts -reply -config '%s/tsa.cnf' -queryfile '%s/query.tsq' -out '%s/reply.tsr' "
           "2>/dev/null",
           tsa_dir, tsa_dir, tsa_dir);
  if (system(command) != 0) {
    return 1;
  }
  snprintf(path, sizeof path, "%s/reply.tsr", tsa_dir);
  reply = read_file(path, &len);
  if (len > *out_len) {
    free(reply);
    return 2;
  }
  memcpy(out, reply, len);
  *out_len = len;
  free(reply);
  return 0;
}

static void a_timestamp_callback_makes_b_t(void) {
  paraph_document *document = open_pdf("pdf/reportlab-contract.pdf");
  paraph_signer *signer = pkcs12("certs/ec/signer.p12", "test");
  paraph_tsa *tsa = NULL;
  paraph_bytes *signed_pdf = NULL, *report = NULL;
  paraph_document *signed_document;

  setup_openssl_tsa();
  CHECK_RESULT(paraph_tsa_from_callback(tsa_openssl, NULL, &tsa), PARAPH_OK);
  CHECK_RESULT(paraph_document_sign(document, signer, tsa, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NOW,
                                    &signed_pdf),
               PARAPH_OK);
  signed_document = open_bytes(signed_pdf);
  CHECK_RESULT(paraph_document_verify(signed_document, NULL, 0, NOW, &report), PARAPH_OK);
  CHECK(bytes_contain(report, "\"timestampTime\":\"20"));
  CHECK_RESULT(verdict(signed_document, "certs/ec/root.pem"), PARAPH_OK);
  paraph_bytes_free(report);
  paraph_bytes_free(signed_pdf);
  paraph_document_free(signed_document);
  paraph_tsa_free(tsa);
  paraph_signer_free(signer);
  paraph_document_free(document);
}

static void callbacks_sign_and_their_failures_have_codes(void) {
  paraph_document *document = open_pdf("pdf/reportlab-contract.pdf");
  struct token token = {NULL, 0, 0, 0};
  paraph_signer *external = SENTINEL;
  paraph_tsa *tsa = SENTINEL, *junk = NULL;
  paraph_bytes *chain = NULL, *signed_pdf = NULL, *unused = SENTINEL;
  paraph_document *signed_document;
  int tsa_calls = 0;

  token.key = pkcs12("certs/rsa/signer.p12", "test");
  CHECK_RESULT(paraph_signer_certificates(token.key, &chain), PARAPH_OK);
  CHECK_RESULT(paraph_signer_from_callback(paraph_bytes_data(chain), paraph_bytes_len(chain), NULL,
                                           &token, &external),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK(external == NULL);
  CHECK_RESULT(paraph_signer_from_callback(NULL, 0, token_sign, &token, &external),
               PARAPH_E_CERT_INVALID);
  CHECK_RESULT(paraph_signer_from_callback(paraph_bytes_data(chain), paraph_bytes_len(chain),
                                           token_sign, &token, &external),
               PARAPH_OK);

  CHECK_RESULT(paraph_document_sign(document, external, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0,
                                    NOW, &signed_pdf),
               PARAPH_OK);
  CHECK(token.calls == 1);
  signed_document = open_bytes(signed_pdf);
  CHECK_RESULT(verdict(signed_document, "certs/rsa/root.pem"), PARAPH_OK);
  paraph_document_free(signed_document);
  paraph_bytes_free(signed_pdf);

  token.fail_with = 42;
  CHECK_RESULT(paraph_document_sign(document, external, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0,
                                    NOW, &unused),
               PARAPH_E_SIGNING_FAILED);
  CHECK(unused == NULL);
  CHECK(strstr(last_message(), "returned 42") != NULL);
  token.fail_with = 0;
  token.overflow = 1;
  CHECK_RESULT(paraph_document_sign(document, external, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0,
                                    NOW, &unused),
               PARAPH_E_SIGNING_FAILED);
  token.overflow = 0;

  CHECK_RESULT(paraph_tsa_from_callback(NULL, NULL, &tsa), PARAPH_E_INVALID_ARGUMENT);
  CHECK(tsa == NULL);
  CHECK_RESULT(paraph_tsa_from_callback(tsa_down, &tsa_calls, &tsa), PARAPH_OK);
  CHECK_RESULT(paraph_document_sign(document, external, tsa, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NOW,
                                    &unused),
               PARAPH_E_TIMESTAMP_INVALID);
  CHECK(tsa_calls == 1);
  CHECK(strstr(last_message(), "returned 503") != NULL);
  CHECK_RESULT(paraph_tsa_from_callback(tsa_garbage, NULL, &junk), PARAPH_OK);
  CHECK_RESULT(paraph_document_sign(document, external, junk, NULL, 0, NULL, 0, NULL, 0, NULL, 0,
                                    NOW, &unused),
               PARAPH_E_TIMESTAMP_INVALID);
  /* A time-stamp authority is not a signer. */
  CHECK_RESULT(paraph_document_sign(document, (const paraph_signer *)tsa, NULL, NULL, 0, NULL, 0,
                                    NULL, 0, NULL, 0, NOW, &unused),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_MESSAGE_STARTS("paraph_document_sign: signer is a paraph_tsa, not a paraph_signer");
  paraph_tsa_free(tsa);
  paraph_tsa_free(junk);
  paraph_signer_free(external);
  paraph_signer_free(token.key);
  paraph_bytes_free(chain);
  paraph_document_free(document);
}

static void null_and_freed_handles_are_refused(void) {
  paraph_document *document = open_pdf("pdf/reportlab-contract.pdf");
  paraph_signer *signer = pkcs12("certs/ec/signer.p12", "test");
  paraph_bytes *unused = SENTINEL;

  CHECK_RESULT(paraph_document_sign(NULL, signer, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NOW,
                                    &unused),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK(unused == NULL);
  CHECK_RESULT(paraph_document_sign(document, NULL, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NOW,
                                    &unused),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(paraph_document_sign(document, signer, NULL, NULL, 3, NULL, 0, NULL, 0, NULL, 0, NOW,
                                    &unused),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(paraph_document_sign(document, signer, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NOW,
                                    NULL),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(paraph_document_sign(document, signer, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0,
                                    INT64_MAX, &unused),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(paraph_document_sign_with_options(document, signer, NULL, TEXT("{\"level\":1}"),
                                                 &unused),
               PARAPH_E_MALFORMED_JSON);
  CHECK_RESULT(paraph_signer_sign(NULL, BYTES("x"), &unused), PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(paraph_document_verify_verdict(NULL, NULL, 0, NOW), PARAPH_E_INVALID_ARGUMENT);
  paraph_signer_free(signer);
  CHECK_RESULT(paraph_document_sign(document, signer, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NOW,
                                    &unused),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_MESSAGE_STARTS("paraph_document_sign: signer is not a live paraph_signer");
  paraph_signer_free(signer);
  paraph_signer_free(NULL);
  paraph_tsa_free(NULL);
  paraph_document_free(document);
}

int main(void) {
  signers_come_from_pkcs12_and_pem();
  a_signature_verifies_and_an_expired_certificate_is_refused();
  a_field_gets_a_visible_signature_with_an_image();
  two_phases_trust_nothing_of_the_pending_state();
  callbacks_sign_and_their_failures_have_codes();
  a_timestamp_callback_makes_b_t();
  null_and_freed_handles_are_refused();
  return finish("test_sign");
}
