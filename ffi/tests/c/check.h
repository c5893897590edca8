/*
 * A minimal check harness for the C tests: CHECK(condition) and
 * CHECK_RESULT(call, expected) count failures and report them with the
 * result's name and the library's last error message; finish() prints a
 * summary and gives the exit status.
 */
#ifndef PARAPH_TEST_CHECK_H
#define PARAPH_TEST_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paraph.h"

static int checks_run;
static int checks_failed;

/* A text argument: pointer and length of a C string literal or variable. */
#define TEXT(s) (s), strlen(s)
/* A byte argument from a C string. */
#define BYTES(s) (const uint8_t *)(s), strlen(s)

/* A non-NULL pointer that is not a handle, to check out-pointers are cleared. */
#define SENTINEL ((void *)(uintptr_t)0x5e57)

static inline const char *last_message(void) {
  static char buffer[2048];
  size_t len = 0;
  if (paraph_last_error_message(buffer, sizeof buffer, &len) != PARAPH_OK) {
    return "(paraph_last_error_message failed)";
  }
  return buffer;
}

static inline int check_at(int ok, const char *what, const char *file, int line) {
  checks_run++;
  if (!ok) {
    checks_failed++;
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, what);
  }
  return ok;
}

static inline int check_result_at(paraph_result got, paraph_result expected, const char *what,
                                  const char *file, int line) {
  checks_run++;
  if (got != expected) {
    checks_failed++;
    fprintf(stderr, "%s:%d: %s\n  gave %s (%u), expected %s (%u)\n  last error: %s\n", file,
            line, what, paraph_result_name(got), (unsigned)got, paraph_result_name(expected),
            (unsigned)expected, last_message());
  }
  return got == expected;
}

static inline int check_text_at(const char *got, const char *expected, const char *what,
                                const char *file, int line) {
  int ok = got != NULL && strcmp(got, expected) == 0;
  checks_run++;
  if (!ok) {
    checks_failed++;
    fprintf(stderr, "%s:%d: %s\n  is   \"%s\"\n  not  \"%s\"\n", file, line, what,
            got ? got : "(NULL)", expected);
  }
  return ok;
}

#define CHECK(condition) check_at((condition) ? 1 : 0, #condition, __FILE__, __LINE__)
#define CHECK_RESULT(call, expected) check_result_at((call), (expected), #call, __FILE__, __LINE__)
#define CHECK_TEXT(got, expected) check_text_at((got), (expected), #got, __FILE__, __LINE__)
/* The last error message starts with `prefix`. */
#define CHECK_MESSAGE_STARTS(prefix) check_prefix_at((prefix), __FILE__, __LINE__)

static inline int check_prefix_at(const char *prefix, const char *file, int line) {
  const char *message = last_message();
  int ok = strncmp(message, prefix, strlen(prefix)) == 0;
  checks_run++;
  if (!ok) {
    checks_failed++;
    fprintf(stderr, "%s:%d: last error message\n  is   \"%s\"\n  does not start with \"%s\"\n",
            file, line, message, prefix);
  }
  return ok;
}

/* The bytes of a paraph_bytes as a C string (they are NUL-terminated). */
static inline const char *bytes_text(const paraph_bytes *bytes) {
  return (const char *)paraph_bytes_data(bytes);
}

/* The whole of a file (malloc'd, to free) and its length; exits on failure. */
static inline uint8_t *read_file(const char *path, size_t *len) {
  FILE *file = fopen(path, "rb");
  uint8_t *data = NULL;
  long size;
  if (file == NULL || fseek(file, 0, SEEK_END) != 0 || (size = ftell(file)) < 0 ||
      fseek(file, 0, SEEK_SET) != 0) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  data = (uint8_t *)malloc((size_t)size + 1);
  if (data == NULL || fread(data, 1, (size_t)size, file) != (size_t)size) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  fclose(file);
  data[size] = 0;
  *len = (size_t)size;
  return data;
}

/* Writes `len` bytes to `path`; exits on failure. */
static inline void write_file(const char *path, const uint8_t *data, size_t len) {
  FILE *file = fopen(path, "wb");
  if (file == NULL || fwrite(data, 1, len, file) != len || fclose(file) != 0) {
    fprintf(stderr, "cannot write %s\n", path);
    exit(2);
  }
}

/* `strstr` on a paraph_bytes of text. */
static inline int bytes_contain(const paraph_bytes *bytes, const char *needle) {
  return bytes != NULL && strstr((const char *)paraph_bytes_data(bytes), needle) != NULL;
}

/* Every program frees what it made: the library owns what handles stand
 * for, so valgrind cannot see a handle never freed, but this count can. */
static inline int finish(const char *program) {
  size_t live = paraph_handle_count();
  checks_run++;
  if (live != 0) {
    checks_failed++;
    fprintf(stderr, "%s: %zu handle(s) never freed\n", program, live);
  }
  printf("%s: %d checks, %d failed\n", program, checks_run, checks_failed);
  return checks_failed == 0 && checks_run > 0 ? 0 : 1;
}

#endif
