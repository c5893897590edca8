/*
 * The envelope state machine over the C ABI: a two-signer envelope from
 * draft to completed, its replay, and every error path of apply and replay
 * (NULL arguments, invalid JSON, an unknown command, refused transitions
 * with their codes, an unsupported schema version, an invalid event log).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char *SENDER = "{\"now\":\"2026-11-23T09:00:00Z\","
                            "\"actor\":{\"type\":\"apiKey\",\"id\":\"key_1\"}}";

/* The history so far: a JSON array built from each call's events. */
static char history[65536] = "[";

static void record(const paraph_bytes *events) {
  const char *text = bytes_text(events);
  size_t len = paraph_bytes_len(events);
  size_t used = strlen(history);
  /* Append the array's elements: drop its brackets, separate with commas. */
  if (!CHECK(len >= 2 && text[0] == '[' && text[len - 1] == ']')) {
    return;
  }
  if (len == 2) {
    return;
  }
  if (!CHECK(used + len + 2 < sizeof history)) {
    return;
  }
  if (used > 1) {
    history[used++] = ',';
  }
  memcpy(history + used, text + 1, len - 2);
  history[used + len - 2] = '\0';
}

/* Applies a command that must succeed; returns the new state (to free). */
static paraph_bytes *step(const paraph_bytes *state, const char *command, const char *context) {
  paraph_bytes *next = NULL, *events = NULL;
  const char *state_json = state ? bytes_text(state) : NULL;
  size_t state_len = state ? paraph_bytes_len(state) : 0;
  if (!CHECK_RESULT(paraph_envelope_apply(state_json, state_len, TEXT(command), TEXT(context),
                                          &next, &events),
                    PARAPH_OK)) {
    fprintf(stderr, "  command: %s\n", command);
    exit(finish("test_envelope"));
  }
  record(events);
  paraph_bytes_free(events);
  return next;
}

/* Applies a command that must fail with `expected`, leaving both outputs NULL. */
static void refused(const paraph_bytes *state, const char *command, const char *context,
                    paraph_result expected) {
  paraph_bytes *next = SENTINEL, *events = SENTINEL;
  const char *state_json = state ? bytes_text(state) : NULL;
  size_t state_len = state ? paraph_bytes_len(state) : 0;
  if (!CHECK_RESULT(paraph_envelope_apply(state_json, state_len, TEXT(command), TEXT(context),
                                          &next, &events),
                    expected)) {
    fprintf(stderr, "  command: %s\n", command);
  }
  CHECK(next == NULL);
  CHECK(events == NULL);
}

/* The consent command of a recipient. */
#define CONSENT(id)                                                                   \
  "{\"type\":\"consent\",\"recipientId\":\"" id "\",\"version\":\"2026-11\","             \
  "\"textSha256\":\"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\"}"

static void replace_state(paraph_bytes **state, paraph_bytes *next) {
  paraph_bytes_free(*state);
  *state = next;
}

static const char *recipient(const char *id, char *buffer, size_t size) {
  snprintf(buffer, size,
           "{\"now\":\"2026-11-23T10:00:00Z\",\"actor\":{\"type\":\"recipient\",\"id\":\"%s\"},"
           "\"ip\":\"192.0.2.7\",\"userAgent\":\"test_envelope.c\"}",
           id);
  return buffer;
}

static void two_signers_from_draft_to_completed(void) {
  char alice[256], bob[256];
  paraph_bytes *state = NULL, *replayed = NULL;

  state = step(NULL, "{\"type\":\"create\",\"id\":\"env_1\",\"subject\":\"Employment contract\"}",
               SENDER);
  CHECK(strstr(bytes_text(state), "\"status\":\"DRAFT\"") != NULL);
  replace_state(&state, step(state,
                             "{\"type\":\"addDocument\",\"id\":\"doc_1\",\"name\":\"contract.pdf\","
                             "\"pageCount\":2,\"sha256\":\"" /* 64 hex digits */
                             "abababababababababababababababababababababababababababababababab\"}",
                             SENDER));
  replace_state(&state, step(state,
                             "{\"type\":\"addRecipient\",\"id\":\"alice\",\"name\":\"Alice Martin\","
                             "\"email\":\"alice@example.com\",\"routingOrder\":1}",
                             SENDER));
  replace_state(&state, step(state,
                             "{\"type\":\"addRecipient\",\"id\":\"bob\",\"name\":\"Bob Dupont\","
                             "\"email\":\"bob@example.com\",\"routingOrder\":2}",
                             SENDER));
  /* Each signer needs a signature field before the envelope can go. */
  refused(state, "{\"type\":\"send\"}", SENDER, PARAPH_E_SIGNER_WITHOUT_FIELD);
  CHECK_MESSAGE_STARTS("paraph_envelope_apply: signer alice has no signature field");
  replace_state(&state, step(state,
                             "{\"type\":\"addField\",\"id\":\"sig_alice\",\"documentId\":\"doc_1\","
                             "\"recipientId\":\"alice\",\"kind\":\"SIGNATURE\",\"page\":2,"
                             "\"rect\":{\"x\":72,\"y\":600,\"width\":200,\"height\":60}}",
                             SENDER));
  replace_state(&state, step(state,
                             "{\"type\":\"addField\",\"id\":\"sig_bob\",\"documentId\":\"doc_1\","
                             "\"recipientId\":\"bob\",\"kind\":\"SIGNATURE\",\"page\":2,"
                             "\"rect\":{\"x\":300,\"y\":600,\"width\":200,\"height\":60}}",
                             SENDER));
  replace_state(&state, step(state, "{\"type\":\"send\"}", SENDER));
  CHECK(strstr(bytes_text(state), "\"status\":\"SENT\"") != NULL);

  /* Routing: Bob's turn comes after Alice's. */
  refused(state, "{\"type\":\"sign\",\"recipientId\":\"bob\"}",
          recipient("bob", bob, sizeof bob), PARAPH_E_RECIPIENT_NOT_ACTIVE);
  CHECK_MESSAGE_STARTS("paraph_envelope_apply: recipient bob cannot sign yet");
  /* A recipient cannot act for another. */
  refused(state, "{\"type\":\"sign\",\"recipientId\":\"alice\"}", bob,
          PARAPH_E_ACTOR_NOT_ALLOWED);
  /* Editing is over once sent. */
  refused(state,
          "{\"type\":\"addRecipient\",\"id\":\"carol\",\"name\":\"Carol\","
          "\"email\":\"carol@example.com\"}",
          SENDER, PARAPH_E_ENVELOPE_NOT_DRAFT);

  /* Consent to sign electronically comes first. */
  refused(state, "{\"type\":\"sign\",\"recipientId\":\"alice\"}",
          recipient("alice", alice, sizeof alice), PARAPH_E_CONSENT_REQUIRED);
  replace_state(&state, step(state, CONSENT("alice"), alice));
  replace_state(&state, step(state, "{\"type\":\"sign\",\"recipientId\":\"alice\"}", alice));
  refused(state, "{\"type\":\"sign\",\"recipientId\":\"alice\"}", alice,
          PARAPH_E_RECIPIENT_ALREADY_ACTED);
  replace_state(&state, step(state, CONSENT("bob"), bob));
  replace_state(&state, step(state, "{\"type\":\"sign\",\"recipientId\":\"bob\"}", bob));
  /* Everyone signed: the envelope awaits its completion, recorded once the
     final documents exist. */
  CHECK(strstr(bytes_text(state), "\"status\":\"SENT\"") != NULL);
  refused(state, "{\"type\":\"remind\"}",
          "{\"now\":\"2026-11-23T10:00:00Z\",\"actor\":{\"type\":\"apiKey\",\"id\":\"key_1\"}}",
          PARAPH_E_ENVELOPE_AWAITING_COMPLETION);
  replace_state(&state, step(state, "{\"type\":\"complete\"}",
                             "{\"now\":\"2026-11-23T10:00:00Z\",\"actor\":{\"type\":\"system\"}}"));
  CHECK(strstr(bytes_text(state), "\"status\":\"COMPLETED\"") != NULL);
  CHECK(strstr(bytes_text(state), "\"completedAt\":\"2026-11-23T10:00:00Z\"") != NULL);
  refused(state, "{\"type\":\"void\",\"reason\":\"changed our mind\"}", SENDER,
          PARAPH_E_ENVELOPE_TERMINAL);

  /* The recorded history replays into exactly the same state. */
  strcat(history, "]");
  CHECK(strstr(history, "\"type\":\"envelope.completed\"") != NULL);
  CHECK(strstr(history, "\"ip\":\"192.0.2.7\"") != NULL);
  CHECK_RESULT(paraph_envelope_replay(history, strlen(history), &replayed), PARAPH_OK);
  CHECK(paraph_bytes_len(replayed) == paraph_bytes_len(state));
  CHECK_TEXT(bytes_text(replayed), bytes_text(state));

  /* A history missing its first event is not a valid log. */
  {
    const char *second = strstr(history, "},{");
    paraph_bytes *out = SENTINEL;
    char *cut;
    if (CHECK(second != NULL)) {
      cut = malloc(strlen(second) + 1);
      if (cut != NULL) {
        cut[0] = '[';
        strcpy(cut + 1, second + 2);
        CHECK_RESULT(paraph_envelope_replay(cut, strlen(cut), &out), PARAPH_E_INVALID_EVENT_LOG);
        CHECK(out == NULL);
        CHECK_MESSAGE_STARTS("paraph_envelope_replay: the first event must be envelope.created");
        free(cut);
      }
    }
  }
  paraph_bytes_free(replayed);
  paraph_bytes_free(state);
}

static void refused_transitions(void) {
  paraph_bytes *state =
      step(NULL, "{\"type\":\"create\",\"id\":\"env_2\",\"subject\":\"NDA\"}", SENDER);
  refused(state, "{\"type\":\"send\"}", SENDER, PARAPH_E_NO_DOCUMENT);
  CHECK_TEXT(last_message(), "paraph_envelope_apply: envelope env_2 has no document to send");
  refused(state, "{\"type\":\"void\",\"reason\":\"x\"}", SENDER, PARAPH_E_ENVELOPE_NOT_SENT);
  refused(state, "{\"type\":\"removeRecipient\",\"recipientId\":\"nobody\"}", SENDER,
          PARAPH_E_RECIPIENT_NOT_FOUND);
  refused(state, "{\"type\":\"create\",\"id\":\"env_2\",\"subject\":\"again\"}", SENDER,
          PARAPH_E_ENVELOPE_ALREADY_EXISTS);
  refused(state, "{\"type\":\"update\",\"subject\":\"later\"}",
          "{\"now\":\"2026-11-22T09:00:00Z\",\"actor\":{\"type\":\"system\"}}",
          PARAPH_E_TIME_BEFORE_LAST_EVENT);
  refused(NULL, "{\"type\":\"send\"}", SENDER, PARAPH_E_ENVELOPE_NOT_FOUND);
  CHECK_TEXT(last_message(),
             "paraph_envelope_apply: state_json is NULL, so the command must be create, not send");
  refused(NULL, "{\"type\":\"create\",\"id\":\"env 3\",\"subject\":\"x\"}", SENDER,
          PARAPH_E_INVALID_ARGUMENT);
  replace_state(&state, step(state, "{\"type\":\"delete\"}", SENDER));
  refused(state, "{\"type\":\"update\",\"subject\":\"x\"}", SENDER, PARAPH_E_ENVELOPE_DELETED);
  paraph_bytes_free(state);
}

static void invalid_json(void) {
  paraph_bytes *state =
      step(NULL, "{\"type\":\"create\",\"id\":\"env_4\",\"subject\":\"NDA\"}", SENDER);
  char old_schema[8192];
  char *version;

  refused(state, "{", SENDER, PARAPH_E_MALFORMED_JSON);
  CHECK_MESSAGE_STARTS("paraph_envelope_apply: command_json: EOF while parsing");
  refused(state, "{\"type\":\"frobnicate\"}", SENDER, PARAPH_E_MALFORMED_JSON);
  CHECK_MESSAGE_STARTS("paraph_envelope_apply: command_json: unknown variant `frobnicate`");
  refused(state, "{\"type\":\"send\"}", "{\"now\":\"2026-11-23T09:00:00Z\"}",
          PARAPH_E_MALFORMED_JSON);
  CHECK_MESSAGE_STARTS("paraph_envelope_apply: context_json: missing field `actor`");
  refused(state, "{\"type\":\"send\"}", "{\"now\":\"2026-11-23T09:00:00Z\","
                 "\"actor\":{\"type\":\"system\"},\"extra\":1}",
          PARAPH_E_MALFORMED_JSON);
  refused(state, "\xff", SENDER, PARAPH_E_MALFORMED_JSON);
  CHECK_TEXT(last_message(),
             "paraph_envelope_apply: command_json is not UTF-8 (invalid byte at offset 0)");

  /* States: not JSON, and another schema version. */
  {
    paraph_bytes *next = SENTINEL, *events = SENTINEL;
    CHECK_RESULT(paraph_envelope_apply(TEXT("[]"), TEXT("{\"type\":\"send\"}"), TEXT(SENDER),
                                       &next, &events),
                 PARAPH_E_MALFORMED_JSON);
    CHECK(next == NULL && events == NULL);
    CHECK_MESSAGE_STARTS("paraph_envelope_apply: state_json: ");
  }
  if (CHECK(paraph_bytes_len(state) < sizeof old_schema)) {
    strcpy(old_schema, bytes_text(state));
    version = strstr(old_schema, "\"schemaVersion\":2");
    if (CHECK(version != NULL)) {
      version[strlen("\"schemaVersion\":")] = '7';
      paraph_bytes *next = SENTINEL, *events = SENTINEL;
      CHECK_RESULT(paraph_envelope_apply(TEXT(old_schema), TEXT("{\"type\":\"send\"}"),
                                         TEXT(SENDER), &next, &events),
                   PARAPH_E_UNSUPPORTED_SCHEMA_VERSION);
      CHECK(next == NULL && events == NULL);
    }
  }

  /* Replay takes exactly an array of events. */
  {
    paraph_bytes *out = SENTINEL;
    CHECK_RESULT(paraph_envelope_replay(TEXT("[]"), &out), PARAPH_E_INVALID_EVENT_LOG);
    CHECK(out == NULL);
    CHECK_TEXT(last_message(), "paraph_envelope_replay: the event log is empty");
    CHECK_RESULT(paraph_envelope_replay(TEXT("{\"events\":[]}"), &out), PARAPH_E_MALFORMED_JSON);
    CHECK_RESULT(paraph_envelope_replay(TEXT("nope"), &out), PARAPH_E_MALFORMED_JSON);
  }
  paraph_bytes_free(state);
}

static void null_arguments(void) {
  paraph_bytes *state = SENTINEL, *events = SENTINEL;
  CHECK_RESULT(paraph_envelope_apply(NULL, 0, NULL, 0, TEXT(SENDER), &state, &events),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_TEXT(last_message(), "paraph_envelope_apply: command_json is NULL");
  CHECK(state == NULL && events == NULL);
  CHECK_RESULT(paraph_envelope_apply(NULL, 0, TEXT("{\"type\":\"send\"}"), NULL, 0, &state,
                                     &events),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_TEXT(last_message(), "paraph_envelope_apply: context_json is NULL");
  CHECK_RESULT(paraph_envelope_apply(NULL, 0, TEXT("{\"type\":\"send\"}"), TEXT(SENDER), NULL,
                                     &events),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_TEXT(last_message(), "paraph_envelope_apply: out_state is NULL");
  events = SENTINEL;
  CHECK_RESULT(paraph_envelope_apply(NULL, 0, TEXT("{\"type\":\"send\"}"), TEXT(SENDER), &state,
                                     NULL),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK(state == NULL);
  CHECK_RESULT(paraph_envelope_apply(NULL, 0, NULL, 5, TEXT(SENDER), &state, &events),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(paraph_envelope_apply(NULL, 0, TEXT("{\"type\":\"send\"}"), NULL, 9, &state,
                                     &events),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(paraph_envelope_apply(NULL, 4, TEXT("{\"type\":\"send\"}"), TEXT(SENDER), &state,
                                     &events),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_TEXT(last_message(), "paraph_envelope_apply: state_json is NULL but state_json_len is 4");
  CHECK(state == NULL && events == NULL);
  CHECK_RESULT(paraph_envelope_replay(NULL, 0, &state), PARAPH_E_INVALID_ARGUMENT);
  CHECK_TEXT(last_message(), "paraph_envelope_replay: events_json is NULL");
  CHECK_RESULT(paraph_envelope_replay(TEXT("[]"), NULL), PARAPH_E_INVALID_ARGUMENT);
}

int main(void) {
  two_signers_from_draft_to_completed();
  refused_transitions();
  invalid_json();
  null_arguments();
  return finish("test_envelope");
}
