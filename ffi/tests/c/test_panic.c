/*
 * The panic boundary (built with --features test-hooks): a panic inside an
 * entry point comes back as PARAPH_E_PANIC with its message, the out-pointer
 * is NULL, and the library keeps working afterwards, on this thread and
 * others.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <string.h>

#include "check.h"

static void *panic_on_a_thread(void *arg) {
  paraph_bytes *out = SENTINEL;
  paraph_result *result = arg;
  *result = paraph_test_panic(TEXT("off the main thread"), &out);
  return out;
}

int main(void) {
  paraph_bytes *out = SENTINEL;
  paraph_webhook_secret *secret = NULL;
  pthread_t thread;
  paraph_result on_thread = PARAPH_OK;
  void *thread_out = SENTINEL;

  CHECK_RESULT(paraph_test_panic(TEXT("boom"), &out), PARAPH_E_PANIC);
  CHECK(out == NULL);
  CHECK(paraph_last_error_code() == PARAPH_E_PANIC);
  CHECK_MESSAGE_STARTS("paraph_test_panic: a panic was caught at the C boundary");
  CHECK(strstr(last_message(), "boom") != NULL);
  CHECK_TEXT(paraph_result_name(PARAPH_E_PANIC), "PANIC");

  /* Argument checks still come first: no panic without the out-pointer. */
  CHECK_RESULT(paraph_test_panic(TEXT("boom"), NULL), PARAPH_E_INVALID_ARGUMENT);

  /* Still usable after panics, here and on another thread. */
  CHECK(pthread_create(&thread, NULL, panic_on_a_thread, &on_thread) == 0);
  CHECK(pthread_join(thread, &thread_out) == 0);
  CHECK(on_thread == PARAPH_E_PANIC);
  CHECK(thread_out == NULL);
  CHECK_RESULT(paraph_webhook_secret_parse(TEXT("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), &secret),
               PARAPH_OK);
  CHECK(paraph_last_error_code() == PARAPH_OK);
  paraph_webhook_secret_free(secret);
  return finish("test_panic");
}
