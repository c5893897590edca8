/*
 * Threads: one secret handle shared by every thread, handles made and freed
 * concurrently, and last-error details that stay with their thread.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

#define THREADS 8
#define ROUNDS 200

static const paraph_webhook_secret *shared_secret;
static pthread_barrier_t barrier;

struct worker {
  int index;
  int failures; /* counted here: check.h's counters are not atomic */
};

static void *work(void *arg) {
  struct worker *w = arg;
  const uint8_t key[64] = {0};
  paraph_webhook_secret *none = NULL;
  char expected[128], message[256];
  int round;

  /* Each thread fails differently, waits for all the others to fail too,
   * then still reads its own detail. */
  if (paraph_webhook_secret_from_bytes(key, (size_t)w->index + 1, &none) !=
      PARAPH_E_WEBHOOK_INVALID_SECRET) {
    w->failures++;
  }
  pthread_barrier_wait(&barrier);
  snprintf(expected, sizeof expected,
           "paraph_webhook_secret_from_bytes: a webhook secret has 24 to 64 bytes, not %d",
           w->index + 1);
  if (paraph_last_error_message(message, sizeof message, NULL) != PARAPH_OK ||
      strcmp(message, expected) != 0) {
    fprintf(stderr, "thread %d reads \"%s\"\n", w->index, message);
    w->failures++;
  }

  for (round = 0; round < ROUNDS; round++) {
    char msg_id[32];
    paraph_bytes *signature = NULL;
    snprintf(msg_id, sizeof msg_id, "evt_%d_%d", w->index, round);
    if (paraph_webhook_sign(&shared_secret, 1, TEXT(msg_id), 1700000000, BYTES("{}"),
                            &signature) != PARAPH_OK) {
      w->failures++;
      continue;
    }
    if (paraph_webhook_verify(shared_secret, TEXT(msg_id), TEXT("1700000000"),
                              bytes_text(signature), paraph_bytes_len(signature), BYTES("{}"),
                              1700000000, PARAPH_WEBHOOK_DEFAULT_TOLERANCE_SECONDS) != PARAPH_OK) {
      w->failures++;
    }
    paraph_bytes_free(signature);
  }
  return NULL;
}

int main(void) {
  pthread_t threads[THREADS];
  struct worker workers[THREADS];
  paraph_webhook_secret *secret = NULL;
  int i;

  CHECK_RESULT(paraph_webhook_secret_parse(TEXT("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), &secret),
               PARAPH_OK);
  shared_secret = secret;
  CHECK(pthread_barrier_init(&barrier, NULL, THREADS) == 0);
  for (i = 0; i < THREADS; i++) {
    workers[i].index = i;
    workers[i].failures = 0;
    CHECK(pthread_create(&threads[i], NULL, work, &workers[i]) == 0);
  }
  for (i = 0; i < THREADS; i++) {
    CHECK(pthread_join(threads[i], NULL) == 0);
    if (!CHECK(workers[i].failures == 0)) {
      fprintf(stderr, "  thread %d: %d failures\n", i, workers[i].failures);
    }
  }
  pthread_barrier_destroy(&barrier);
  /* The main thread made no failing call. */
  CHECK(paraph_last_error_code() == PARAPH_OK);
  paraph_webhook_secret_free(secret);
  return finish("test_threads");
}
