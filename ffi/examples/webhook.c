/*
 * paraph from C: sign a webhook delivery with Standard Webhooks, print the
 * three headers, then verify it as a receiver would, and show how a
 * refused delivery reads.
 *
 * Build against an installed copy (cargo xtask install-c --prefix DIR):
 *   export PKG_CONFIG_PATH=DIR/lib/pkgconfig
 *   cc webhook.c $(pkg-config --cflags --libs paraph) -o webhook          # shared
 *   cc webhook.c $(pkg-config --cflags --libs paraph-static) -o webhook   # static
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <paraph.h>

/* Prints the failed call's code and detail, and returns 1. */
static int fail(const char *what, paraph_result result) {
  char detail[512];
  paraph_last_error_message(detail, sizeof detail, NULL);
  fprintf(stderr, "%s: %s (%u): %s\n", what, paraph_result_name(result), (unsigned)result,
          detail);
  return 1;
}

int main(void) {
  const char *secret_text = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const char *msg_id = "evt_env_1_7";
  const int64_t sent_at = 1795424400; /* the caller's clock: paraph reads none */
  const char *body = "{\"type\":\"envelope.completed\",\"data\":{\"envelopeId\":\"env_1\"}}";
  char timestamp[32];
  paraph_webhook_secret *secret = NULL;
  paraph_bytes *signature = NULL;
  paraph_result result;
  int status = 0;

  printf("paraph %s (header %d.%d.%d)\n", paraph_version(), PARAPH_VERSION_MAJOR,
         PARAPH_VERSION_MINOR, PARAPH_VERSION_PATCH);

  result = paraph_webhook_secret_parse(secret_text, strlen(secret_text), &secret);
  if (result != PARAPH_OK) {
    return fail("paraph_webhook_secret_parse", result);
  }

  /* Sender side: sign the body. */
  {
    const paraph_webhook_secret *secrets[1];
    secrets[0] = secret;
    result = paraph_webhook_sign(secrets, 1, msg_id, strlen(msg_id), sent_at,
                                 (const uint8_t *)body, strlen(body), &signature);
  }
  if (result != PARAPH_OK) {
    status = fail("paraph_webhook_sign", result);
    goto done;
  }
  snprintf(timestamp, sizeof timestamp, "%" PRId64, sent_at);
  printf("webhook-id: %s\nwebhook-timestamp: %s\nwebhook-signature: %s\n", msg_id, timestamp,
         (const char *)paraph_bytes_data(signature));

  /* Receiver side, 30 seconds later: the delivery is valid... */
  result = paraph_webhook_verify(secret, msg_id, strlen(msg_id), timestamp, strlen(timestamp),
                                 (const char *)paraph_bytes_data(signature),
                                 paraph_bytes_len(signature), (const uint8_t *)body, strlen(body),
                                 sent_at + 30, PARAPH_WEBHOOK_DEFAULT_TOLERANCE_SECONDS);
  if (result != PARAPH_OK) {
    status = fail("paraph_webhook_verify", result);
    goto done;
  }
  printf("verified: %s\n", paraph_result_message(result));

  /* ...and a replay an hour later is refused, with a code and a reason. */
  result = paraph_webhook_verify(secret, msg_id, strlen(msg_id), timestamp, strlen(timestamp),
                                 (const char *)paraph_bytes_data(signature),
                                 paraph_bytes_len(signature), (const uint8_t *)body, strlen(body),
                                 sent_at + 3600, PARAPH_WEBHOOK_DEFAULT_TOLERANCE_SECONDS);
  if (result != PARAPH_E_WEBHOOK_TIMESTAMP_TOO_OLD) {
    status = fail("expected WEBHOOK_TIMESTAMP_TOO_OLD", result);
    goto done;
  }
  {
    char detail[256];
    paraph_last_error_message(detail, sizeof detail, NULL);
    printf("replay refused: %s (HTTP %u): %s\n", paraph_result_name(result),
           (unsigned)paraph_result_http_status(result), detail);
  }

done:
  paraph_bytes_free(signature);
  paraph_webhook_secret_free(secret);
  return status;
}
