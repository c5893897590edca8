/*
 * Result codes against fixtures/vectors/error_codes.json (error_vectors.h is
 * generated from it by tests/c.rs: a code without its PARAPH_E_ constant does
 * not compile), the static descriptions, the version, and the last-error
 * detail.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "error_vectors.h"

static void codes_match_the_vectors(void) {
  size_t i;
  CHECK(ERROR_VECTORS_LEN > 90);
  for (i = 0; i < ERROR_VECTORS_LEN; i++) {
    const struct error_vector *v = &ERROR_VECTORS[i];
    if (!CHECK((uint32_t)v->constant == v->code)) {
      fprintf(stderr, "  PARAPH_E_%s is %u, the vectors say %u\n", v->name,
              (unsigned)v->constant, (unsigned)v->code);
    }
    CHECK_TEXT(paraph_result_name(v->code), v->name);
    CHECK_TEXT(paraph_result_message(v->code), v->message);
    CHECK(paraph_result_http_status(v->code) == v->http_status);
  }
  for (i = 0; i < RETIRED_VECTORS_LEN; i++) {
    CHECK_TEXT(paraph_result_name(RETIRED_VECTORS[i]), "UNKNOWN");
  }
}

static void ok_and_unknown_codes(void) {
  CHECK(PARAPH_OK == 0);
  CHECK_TEXT(paraph_result_name(PARAPH_OK), "OK");
  CHECK_TEXT(paraph_result_message(PARAPH_OK), "success");
  CHECK(paraph_result_http_status(PARAPH_OK) == 200);
  CHECK_TEXT(paraph_result_name(4242), "UNKNOWN");
  CHECK_TEXT(paraph_result_message(UINT32_MAX), "unknown paraph result code");
  CHECK(paraph_result_http_status(1) == 0);
  /* The families' ranges. */
  CHECK(PARAPH_E_INVALID_ARGUMENT / 1000 == 1);
  CHECK(PARAPH_E_ENVELOPE_NOT_DRAFT / 1000 == 2);
  CHECK(PARAPH_E_WEBHOOK_SIGNATURE_MISMATCH / 1000 == 6);
  CHECK(PARAPH_E_PANIC / 1000 == 9);
}

static void version_matches_the_header(void) {
  char expected[64];
  snprintf(expected, sizeof expected, "%d.%d.%d", PARAPH_VERSION_MAJOR, PARAPH_VERSION_MINOR,
           PARAPH_VERSION_PATCH);
  CHECK_TEXT(paraph_version(), expected);
  CHECK(PARAPH_VERSION_NUMBER ==
        ((PARAPH_VERSION_MAJOR << 16) | (PARAPH_VERSION_MINOR << 8) | PARAPH_VERSION_PATCH));
}

static void last_error_detail(void) {
  paraph_webhook_secret *secret = SENTINEL;
  char buffer[16];
  size_t len = 0;
  const char *expected = "paraph_webhook_secret_parse: text is NULL but text_len is 5";

  CHECK_RESULT(paraph_webhook_secret_parse(NULL, 5, &secret), PARAPH_E_INVALID_ARGUMENT);
  CHECK(secret == NULL);
  CHECK(paraph_last_error_code() == PARAPH_E_INVALID_ARGUMENT);
  CHECK_TEXT(last_message(), expected);

  /* The length alone, then a truncated copy that is still a C string. */
  CHECK_RESULT(paraph_last_error_message(NULL, 0, &len), PARAPH_OK);
  CHECK(len == strlen(expected));
  memset(buffer, 'x', sizeof buffer);
  CHECK_RESULT(paraph_last_error_message(buffer, sizeof buffer, &len), PARAPH_OK);
  CHECK(len == strlen(expected));
  CHECK(buffer[sizeof buffer - 1] == '\0');
  CHECK(strncmp(buffer, expected, sizeof buffer - 1) == 0);
  CHECK_RESULT(paraph_last_error_message(buffer, sizeof buffer, NULL), PARAPH_OK);

  /* A bad buffer is refused, and does not replace the recorded error. */
  CHECK_RESULT(paraph_last_error_message(NULL, 8, &len), PARAPH_E_INVALID_ARGUMENT);
  CHECK(paraph_last_error_code() == PARAPH_E_INVALID_ARGUMENT);
  CHECK_TEXT(last_message(), expected);

  /* A success clears it. */
  CHECK_RESULT(paraph_webhook_secret_parse(TEXT("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), &secret),
               PARAPH_OK);
  CHECK(paraph_last_error_code() == PARAPH_OK);
  CHECK_TEXT(last_message(), "");
  paraph_webhook_secret_free(secret);
}

int main(void) {
  codes_match_the_vectors();
  ok_and_unknown_codes();
  version_matches_the_header();
  last_error_detail();
  return finish("test_errors");
}
