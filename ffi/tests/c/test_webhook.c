/*
 * Webhook signing and verification against fixtures/vectors/webhooks.json
 * (webhook_vectors.h is generated from it by tests/c.rs), and every error
 * path: NULL arguments, invalid secrets, wrong signatures, stale
 * timestamps, freed, foreign and made-up handles.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "webhook_vectors.h"

static const char *SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
static const char *MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
static const char *TIMESTAMP = "1614265330";
static const int64_t NOW = 1614265330;
static const char *PAYLOAD = "{\"test\": 2432232314}";
static const char *SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

static paraph_webhook_secret *parse(const char *text) {
  paraph_webhook_secret *secret = NULL;
  CHECK_RESULT(paraph_webhook_secret_parse(TEXT(text), &secret), PARAPH_OK);
  CHECK(secret != NULL);
  return secret;
}

static paraph_result verify(const paraph_webhook_secret *secret, const char *signature,
                            int64_t now) {
  return paraph_webhook_verify(secret, TEXT(MSG_ID), TEXT(TIMESTAMP), TEXT(signature),
                               BYTES(PAYLOAD), now, PARAPH_WEBHOOK_DEFAULT_TOLERANCE_SECONDS);
}

static void sign_vectors(void) {
  size_t i, j;
  for (i = 0; i < SIGN_VECTORS_LEN; i++) {
    const struct sign_vector *v = &SIGN_VECTORS[i];
    paraph_webhook_secret *secrets[4] = {NULL, NULL, NULL, NULL};
    paraph_bytes *signature = SENTINEL;
    for (j = 0; j < v->secrets_len; j++) {
      secrets[j] = parse(v->secrets[j]);
    }
    CHECK_RESULT(paraph_webhook_sign((const paraph_webhook_secret *const *)secrets,
                                     v->secrets_len, TEXT(v->msg_id), v->timestamp,
                                     (const uint8_t *)v->payload, v->payload_len, &signature),
                 PARAPH_OK);
    if (!CHECK_TEXT(bytes_text(signature), v->signature)) {
      fprintf(stderr, "  vector: %s\n", v->name);
    }
    CHECK(paraph_bytes_len(signature) == strlen(v->signature));
    paraph_bytes_free(signature);
    for (j = 0; j < v->secrets_len; j++) {
      paraph_webhook_secret_free(secrets[j]);
    }
  }
}

static void verify_vectors(void) {
  size_t i;
  for (i = 0; i < VERIFY_VECTORS_LEN; i++) {
    const struct verify_vector *v = &VERIFY_VECTORS[i];
    paraph_webhook_secret *secret = SENTINEL;
    paraph_result parsed = paraph_webhook_secret_parse(TEXT(v->secret), &secret);
    paraph_result result = parsed;
    if (parsed == PARAPH_OK) {
      result = paraph_webhook_verify(secret, TEXT(v->msg_id), TEXT(v->timestamp),
                                     TEXT(v->signature), (const uint8_t *)v->payload,
                                     v->payload_len, v->now,
                                     PARAPH_WEBHOOK_DEFAULT_TOLERANCE_SECONDS);
    } else {
      CHECK(secret == NULL);
    }
    if (!CHECK(result == v->expect)) {
      fprintf(stderr, "  vector \"%s\": %s, expected %s (%s)\n", v->name,
              paraph_result_name(result), paraph_result_name(v->expect), last_message());
    }
    paraph_webhook_secret_free(secret);
  }
}

static void hex_vectors(void) {
  size_t i;
  for (i = 0; i < HEX_VECTORS_LEN; i++) {
    const struct hex_vector *v = &HEX_VECTORS[i];
    paraph_bytes *signature = SENTINEL;
    char upper[128], prefixed[128];
    size_t k;
    CHECK_RESULT(paraph_webhook_sign_hex((const uint8_t *)v->secret, v->secret_len,
                                         (const uint8_t *)v->payload, v->payload_len,
                                         &signature),
                 PARAPH_OK);
    CHECK_TEXT(bytes_text(signature), v->signature);
    paraph_bytes_free(signature);
    CHECK_RESULT(paraph_webhook_verify_hex((const uint8_t *)v->secret, v->secret_len,
                                           (const uint8_t *)v->payload, v->payload_len,
                                           TEXT(v->signature)),
                 PARAPH_OK);
    for (k = 0; v->signature[k] != '\0' && k + 1 < sizeof upper; k++) {
      char c = v->signature[k];
      upper[k] = (c >= 'a' && c <= 'f') ? (char)(c - 'a' + 'A') : c;
    }
    upper[k] = '\0';
    snprintf(prefixed, sizeof prefixed, "sha256=%s", v->signature);
    CHECK_RESULT(paraph_webhook_verify_hex((const uint8_t *)v->secret, v->secret_len,
                                           (const uint8_t *)v->payload, v->payload_len,
                                           TEXT(upper)),
                 PARAPH_OK);
    CHECK_RESULT(paraph_webhook_verify_hex((const uint8_t *)v->secret, v->secret_len,
                                           (const uint8_t *)v->payload, v->payload_len,
                                           TEXT(prefixed)),
                 PARAPH_OK);
    /* One more byte of payload: the signature no longer matches. */
    CHECK_RESULT(paraph_webhook_verify_hex((const uint8_t *)v->secret, v->secret_len,
                                           (const uint8_t *)v->payload, v->payload_len + 1,
                                           TEXT(v->signature)),
                 PARAPH_E_WEBHOOK_SIGNATURE_MISMATCH);
  }
}

static void wrong_signatures_and_times(void) {
  paraph_webhook_secret *secret = parse(SPEC_SECRET);
  CHECK_RESULT(verify(secret, SIGNATURE, NOW), PARAPH_OK);
  CHECK_RESULT(verify(secret, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=", NOW),
               PARAPH_E_WEBHOOK_SIGNATURE_MISMATCH);
  CHECK_TEXT(last_message(),
             "paraph_webhook_verify: no v1 signature in webhook-signature matches the payload");
  /* An empty header is a missing one, as the Standard Webhooks libraries say. */
  CHECK_RESULT(verify(secret, "", NOW), PARAPH_E_WEBHOOK_MISSING_HEADER);
  CHECK_RESULT(verify(secret, SIGNATURE, NOW + 301), PARAPH_E_WEBHOOK_TIMESTAMP_TOO_OLD);
  CHECK_RESULT(verify(secret, SIGNATURE, NOW - 301), PARAPH_E_WEBHOOK_TIMESTAMP_TOO_NEW);
  /* A zero tolerance accepts only the exact second. */
  CHECK_RESULT(paraph_webhook_verify(secret, TEXT(MSG_ID), TEXT(TIMESTAMP), TEXT(SIGNATURE),
                                     BYTES(PAYLOAD), NOW + 1, 0),
               PARAPH_E_WEBHOOK_TIMESTAMP_TOO_OLD);
  CHECK_RESULT(paraph_webhook_verify(secret, TEXT(MSG_ID), TEXT("soon"), TEXT(SIGNATURE),
                                     BYTES(PAYLOAD), NOW, 300),
               PARAPH_E_WEBHOOK_INVALID_TIMESTAMP);
  CHECK_RESULT(verify(secret, SIGNATURE, INT64_MAX), PARAPH_E_INVALID_ARGUMENT);
  CHECK_TEXT(last_message(), "paraph_webhook_verify: now 9223372036854775807 is out of range");
  /* The payload is bytes: a payload cut short at a NUL is another payload. */
  CHECK_RESULT(paraph_webhook_verify(secret, TEXT(MSG_ID), TEXT(TIMESTAMP), TEXT(SIGNATURE),
                                     (const uint8_t *)PAYLOAD, 5, NOW, 300),
               PARAPH_E_WEBHOOK_SIGNATURE_MISMATCH);
  paraph_webhook_secret_free(secret);
}

static void invalid_secrets(void) {
  paraph_webhook_secret *secret = SENTINEL;
  paraph_bytes *signature = SENTINEL;
  const uint8_t short_key[10] = {0};
  const uint8_t key[32] = {1, 2, 3};

  CHECK_RESULT(paraph_webhook_secret_parse(TEXT("whsec_"), &secret),
               PARAPH_E_WEBHOOK_INVALID_SECRET);
  CHECK(secret == NULL);
  secret = SENTINEL;
  CHECK_RESULT(paraph_webhook_secret_parse(TEXT("whsec_!!!not-base64!!!"), &secret),
               PARAPH_E_WEBHOOK_INVALID_SECRET);
  CHECK(secret == NULL);
  CHECK_MESSAGE_STARTS("paraph_webhook_secret_parse: the webhook secret is not base64");
  CHECK_RESULT(paraph_webhook_secret_from_bytes(short_key, sizeof short_key, &secret),
               PARAPH_E_WEBHOOK_INVALID_SECRET);
  CHECK_TEXT(last_message(),
             "paraph_webhook_secret_from_bytes: a webhook secret has 24 to 64 bytes, not 10");
  CHECK_RESULT(paraph_webhook_secret_parse(TEXT("whsec_\xff\xfe"), &secret),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_TEXT(last_message(),
             "paraph_webhook_secret_parse: text is not UTF-8 (invalid byte at offset 6)");

  /* Raw bytes, exposed as whsec_ text that parses back to the same key. */
  CHECK_RESULT(paraph_webhook_secret_from_bytes(key, sizeof key, &secret), PARAPH_OK);
  {
    paraph_bytes *text = SENTINEL;
    paraph_webhook_secret *again = NULL;
    paraph_bytes *a = NULL, *b = NULL;
    const paraph_webhook_secret *one[1];
    CHECK_RESULT(paraph_webhook_secret_expose(secret, &text), PARAPH_OK);
    CHECK(strncmp(bytes_text(text), "whsec_AQID", 10) == 0);
    CHECK_RESULT(paraph_webhook_secret_parse((const char *)paraph_bytes_data(text),
                                             paraph_bytes_len(text), &again),
                 PARAPH_OK);
    one[0] = secret;
    CHECK_RESULT(paraph_webhook_sign(one, 1, TEXT("m1"), 1, BYTES("x"), &a), PARAPH_OK);
    one[0] = again;
    CHECK_RESULT(paraph_webhook_sign(one, 1, TEXT("m1"), 1, BYTES("x"), &b), PARAPH_OK);
    CHECK_TEXT(bytes_text(a), bytes_text(b));
    paraph_bytes_free(a);
    paraph_bytes_free(b);
    paraph_bytes_free(text);
    paraph_webhook_secret_free(again);
  }
  paraph_webhook_secret_free(secret);

  /* Signing needs a secret; the hex scheme needs a non-empty one. */
  CHECK_RESULT(paraph_webhook_sign(NULL, 0, TEXT(MSG_ID), 1, BYTES(PAYLOAD), &signature),
               PARAPH_E_WEBHOOK_INVALID_SECRET);
  CHECK(signature == NULL);
  signature = SENTINEL;
  CHECK_RESULT(paraph_webhook_sign_hex(NULL, 0, BYTES(PAYLOAD), &signature),
               PARAPH_E_WEBHOOK_INVALID_SECRET);
  CHECK(signature == NULL);
  CHECK_RESULT(paraph_webhook_verify_hex(NULL, 0, BYTES(PAYLOAD), TEXT("00")),
               PARAPH_E_WEBHOOK_INVALID_SECRET);
  CHECK_RESULT(paraph_webhook_verify_hex(BYTES("k"), BYTES(PAYLOAD), TEXT("not hex")),
               PARAPH_E_WEBHOOK_SIGNATURE_MISMATCH);
}

static void invalid_message_ids(void) {
  paraph_webhook_secret *secret = parse(SPEC_SECRET);
  const paraph_webhook_secret *secrets[1];
  paraph_bytes *signature = SENTINEL;
  secrets[0] = secret;
  CHECK_RESULT(paraph_webhook_sign(secrets, 1, TEXT("evt.1"), 1, BYTES(PAYLOAD), &signature),
               PARAPH_E_WEBHOOK_INVALID_MESSAGE_ID);
  CHECK(signature == NULL);
  CHECK_RESULT(paraph_webhook_sign(secrets, 1, TEXT(""), 1, BYTES(PAYLOAD), &signature),
               PARAPH_E_WEBHOOK_INVALID_MESSAGE_ID);
  CHECK_RESULT(paraph_webhook_sign(secrets, 1, "a\0b", 3, 1, BYTES(PAYLOAD), &signature),
               PARAPH_E_WEBHOOK_INVALID_MESSAGE_ID);
  /* A NUL in the id is shown spelled out, so the C string is whole. */
  CHECK(strstr(last_message(), "\"a\\0b\"") != NULL || strstr(last_message(), "a\\u{0}b") != NULL);
  paraph_webhook_secret_free(secret);
}

static void null_arguments(void) {
  paraph_webhook_secret *secret = parse(SPEC_SECRET);
  const paraph_webhook_secret *secrets[2];
  paraph_bytes *signature = SENTINEL;
  secrets[0] = secret;
  secrets[1] = NULL;

  CHECK_RESULT(paraph_webhook_secret_parse(TEXT(SPEC_SECRET), NULL), PARAPH_E_INVALID_ARGUMENT);
  CHECK_TEXT(last_message(), "paraph_webhook_secret_parse: out_secret is NULL");
  CHECK_RESULT(paraph_webhook_secret_from_bytes(NULL, 32, &secret), PARAPH_E_INVALID_ARGUMENT);
  CHECK(secret == NULL);
  secret = (paraph_webhook_secret *)secrets[0];
  CHECK_RESULT(paraph_webhook_secret_expose(NULL, &signature), PARAPH_E_INVALID_ARGUMENT);
  CHECK(signature == NULL);
  CHECK_RESULT(paraph_webhook_secret_expose(secret, NULL), PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(verify(NULL, SIGNATURE, NOW), PARAPH_E_INVALID_ARGUMENT);
  CHECK_TEXT(last_message(), "paraph_webhook_verify: secret is NULL");
  CHECK_RESULT(paraph_webhook_verify(secret, NULL, 3, TEXT(TIMESTAMP), TEXT(SIGNATURE),
                                     BYTES(PAYLOAD), NOW, 300),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_TEXT(last_message(), "paraph_webhook_verify: msg_id is NULL but msg_id_len is 3");
  CHECK_RESULT(paraph_webhook_verify(secret, TEXT(MSG_ID), TEXT(TIMESTAMP), TEXT(SIGNATURE),
                                     NULL, 20, NOW, 300),
               PARAPH_E_INVALID_ARGUMENT);
  /* NULL with length 0 is the empty buffer: a valid, empty payload. */
  CHECK_RESULT(paraph_webhook_verify(secret, TEXT(MSG_ID), TEXT(TIMESTAMP), TEXT(SIGNATURE),
                                     NULL, 0, NOW, 300),
               PARAPH_E_WEBHOOK_SIGNATURE_MISMATCH);
  CHECK_RESULT(paraph_webhook_sign(secrets, 1, TEXT(MSG_ID), 1, BYTES(PAYLOAD), NULL),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(paraph_webhook_sign(secrets, 2, TEXT(MSG_ID), 1, BYTES(PAYLOAD), &signature),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_TEXT(last_message(), "paraph_webhook_sign: secrets[1] is NULL");
  CHECK(signature == NULL);
  CHECK_RESULT(paraph_webhook_sign(NULL, 1, TEXT(MSG_ID), 1, BYTES(PAYLOAD), &signature),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(paraph_webhook_sign_hex(BYTES("k"), NULL, 1, &signature),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(paraph_webhook_sign_hex(BYTES("k"), BYTES(PAYLOAD), NULL),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(paraph_webhook_verify_hex(BYTES("k"), BYTES(PAYLOAD), NULL, 64),
               PARAPH_E_INVALID_ARGUMENT);
  paraph_webhook_secret_free(secret);

  /* Every _free accepts NULL. */
  paraph_webhook_secret_free(NULL);
  paraph_bytes_free(NULL);
  CHECK(paraph_bytes_data(NULL) == NULL);
  CHECK(paraph_bytes_len(NULL) == 0);
}

static void invalid_handles(void) {
  paraph_webhook_secret *secret = parse(SPEC_SECRET);
  paraph_bytes *bytes = NULL;
  int on_the_stack = 7;
  const paraph_webhook_secret *secrets[1];

  /* A handle of another type is refused, and survives the mistake. */
  CHECK_RESULT(paraph_webhook_secret_expose(secret, &bytes), PARAPH_OK);
  CHECK_RESULT(verify((const paraph_webhook_secret *)bytes, SIGNATURE, NOW),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_TEXT(last_message(),
             "paraph_webhook_verify: secret is a paraph_bytes, not a paraph_webhook_secret");
  paraph_webhook_secret_free((paraph_webhook_secret *)bytes);
  CHECK(paraph_bytes_len(bytes) > 0);
  CHECK(paraph_bytes_len((const paraph_bytes *)secret) == 0);
  CHECK(paraph_bytes_data((const paraph_bytes *)secret) == NULL);
  paraph_bytes_free(bytes);

  /* Made-up pointers, from small numbers to the stack, are never handles. */
  CHECK_RESULT(verify((const paraph_webhook_secret *)(uintptr_t)1, SIGNATURE, NOW),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(verify((const paraph_webhook_secret *)(uintptr_t)0xdeadbeef, SIGNATURE, NOW),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(verify((const paraph_webhook_secret *)&on_the_stack, SIGNATURE, NOW),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_MESSAGE_STARTS("paraph_webhook_verify: secret is not a live paraph_webhook_secret");
  paraph_webhook_secret_free((paraph_webhook_secret *)&on_the_stack);
  paraph_bytes_free((paraph_bytes *)(uintptr_t)0xdeadbeef);

  /* A freed handle stays invalid: use after free and double free are refused. */
  CHECK_RESULT(verify(secret, SIGNATURE, NOW), PARAPH_OK);
  paraph_webhook_secret_free(secret);
  CHECK_RESULT(verify(secret, SIGNATURE, NOW), PARAPH_E_INVALID_ARGUMENT);
  CHECK_TEXT(last_message(), "paraph_webhook_verify: secret is not a live paraph_webhook_secret "
                             "(already freed, or not made by paraph)");
  secrets[0] = secret;
  bytes = SENTINEL;
  CHECK_RESULT(paraph_webhook_sign(secrets, 1, TEXT(MSG_ID), 1, BYTES(PAYLOAD), &bytes),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK(bytes == NULL);
  CHECK_TEXT(last_message(), "paraph_webhook_sign: secrets[0] is not a live "
                             "paraph_webhook_secret (already freed, or not made by paraph)");
  paraph_webhook_secret_free(secret);
}

int main(void) {
  sign_vectors();
  verify_vectors();
  hex_vectors();
  wrong_signatures_and_times();
  invalid_secrets();
  invalid_message_ids();
  null_arguments();
  invalid_handles();
  return finish("test_webhook");
}
