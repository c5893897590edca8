/*
 * Documents over the C ABI: opening PDFs from bytes (and refusing what is
 * not one, or is encrypted), listing pages and fields as the core's JSON,
 * adding fields, and the NULL / wrong-handle paths of each function.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "paths.h"

static paraph_document *open_fixture(const char *name) {
  char path[1024];
  size_t len = 0;
  uint8_t *pdf;
  paraph_document *document = NULL;
  snprintf(path, sizeof path, "%s/pdf/%s", PARAPH_FIXTURES, name);
  pdf = read_file(path, &len);
  CHECK_RESULT(paraph_document_open(pdf, len, &document), PARAPH_OK);
  /* The document keeps its own copy. */
  memset(pdf, 0, len);
  free(pdf);
  return document;
}

static void opening_refuses_what_is_not_a_readable_pdf(void) {
  paraph_document *document = SENTINEL;
  char path[1024];
  size_t len = 0;
  uint8_t *pdf;

  CHECK_RESULT(paraph_document_open(BYTES("not a pdf at all"), &document), PARAPH_E_PDF_MALFORMED);
  CHECK(document == NULL);
  CHECK_MESSAGE_STARTS("paraph_document_open: ");
  document = SENTINEL;
  CHECK_RESULT(paraph_document_open(BYTES("%PDF-1.7\n%%EOF"), &document), PARAPH_E_PDF_MALFORMED);
  CHECK(document == NULL);
  CHECK_RESULT(paraph_document_open(NULL, 0, &document), PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(paraph_document_open(NULL, 10, &document), PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(paraph_document_open(BYTES("%PDF"), NULL), PARAPH_E_INVALID_ARGUMENT);
  CHECK_MESSAGE_STARTS("paraph_document_open: out_document is NULL");

  snprintf(path, sizeof path, "%s/pdf/encrypted-user-password.pdf", PARAPH_FIXTURES);
  pdf = read_file(path, &len);
  document = SENTINEL;
  CHECK_RESULT(paraph_document_open(pdf, len, &document), PARAPH_E_PDF_ENCRYPTED);
  CHECK(document == NULL);
  free(pdf);
}

static void pages_and_fields_are_the_core_s_json(void) {
  paraph_document *document = open_fixture("reportlab-three-pages.pdf");
  paraph_bytes *pages = NULL, *fields = NULL;
  CHECK(paraph_document_len(document) > 100);
  CHECK(memcmp(paraph_document_data(document), "%PDF-", 5) == 0);
  CHECK_RESULT(paraph_document_pages(document, &pages), PARAPH_OK);
  CHECK(bytes_contain(pages, "\"number\":1"));
  CHECK(bytes_contain(pages, "\"number\":3"));
  CHECK(!bytes_contain(pages, "\"number\":4"));
  CHECK(bytes_contain(pages, "\"mediaBox\""));
  CHECK_RESULT(paraph_document_fields(document, &fields), PARAPH_OK);
  CHECK_TEXT(bytes_text(fields), "[]");
  paraph_bytes_free(pages);
  paraph_bytes_free(fields);
  paraph_document_free(document);

  document = open_fixture("reportlab-acroform.pdf");
  CHECK_RESULT(paraph_document_fields(document, &fields), PARAPH_OK);
  CHECK(bytes_contain(fields, "\"name\":"));
  CHECK(bytes_contain(fields, "\"widgets\":"));
  paraph_bytes_free(fields);
  paraph_document_free(document);
}

static void fields_are_added_as_a_new_document(void) {
  const char *spec = "[{\"name\":\"sig_marie\",\"kind\":\"SIGNATURE\",\"page\":1,"
                     "\"rect\":{\"x\":72,\"y\":600,\"width\":200,\"height\":50}},"
                     "{\"name\":\"title\",\"kind\":\"TEXT\",\"page\":2,\"value\":\"CFO\","
                     "\"rect\":{\"x\":72,\"y\":100,\"width\":200,\"height\":20}}]";
  paraph_document *document = open_fixture("reportlab-three-pages.pdf");
  paraph_document *added = NULL, *again = SENTINEL;
  paraph_bytes *fields = NULL;

  CHECK_RESULT(paraph_document_add_fields(document, TEXT(spec), &added), PARAPH_OK);
  CHECK(added != NULL && added != document);
  CHECK(paraph_document_len(added) > paraph_document_len(document));
  /* An incremental update: the original bytes come first, unchanged. */
  CHECK(memcmp(paraph_document_data(added), paraph_document_data(document),
               paraph_document_len(document)) == 0);
  CHECK_RESULT(paraph_document_fields(added, &fields), PARAPH_OK);
  CHECK(bytes_contain(fields, "\"name\":\"sig_marie\",\"type\":\"SIGNATURE\""));
  CHECK(bytes_contain(fields, "\"name\":\"title\",\"type\":\"TEXT\",\"value\":\"CFO\""));
  paraph_bytes_free(fields);

  /* The same name twice, a page that does not exist, a field off the page, bad JSON. */
  CHECK_RESULT(paraph_document_add_fields(added, TEXT(spec), &again), PARAPH_E_PDF_FIELD_EXISTS);
  CHECK(again == NULL);
  CHECK_RESULT(paraph_document_add_fields(
                   document,
                   TEXT("[{\"name\":\"x\",\"kind\":\"TEXT\",\"page\":9,"
                        "\"rect\":{\"x\":1,\"y\":1,\"width\":10,\"height\":10}}]"),
                   &again),
               PARAPH_E_PDF_PAGE_NOT_FOUND);
  CHECK_RESULT(paraph_document_add_fields(
                   document,
                   TEXT("[{\"name\":\"x\",\"kind\":\"TEXT\",\"page\":1,"
                        "\"rect\":{\"x\":5000,\"y\":1,\"width\":10,\"height\":10}}]"),
                   &again),
               PARAPH_E_PDF_FIELD_OUTSIDE_PAGE);
  CHECK_RESULT(paraph_document_add_fields(document, TEXT("[{\"name\":1}]"), &again),
               PARAPH_E_MALFORMED_JSON);
  CHECK_MESSAGE_STARTS("paraph_document_add_fields: fields_json: ");
  CHECK_RESULT(paraph_document_add_fields(document, NULL, 0, &again), PARAPH_E_INVALID_ARGUMENT);
  paraph_document_free(added);
  paraph_document_free(document);
}

static void null_freed_and_wrong_handles_are_refused(void) {
  paraph_document *document = open_fixture("reportlab-contract.pdf");
  paraph_bytes *out = SENTINEL;
  paraph_bytes *not_a_document = NULL;

  CHECK_RESULT(paraph_document_pages(NULL, &out), PARAPH_E_INVALID_ARGUMENT);
  CHECK(out == NULL);
  CHECK_MESSAGE_STARTS("paraph_document_pages: document is NULL");
  CHECK_RESULT(paraph_document_fields((const paraph_document *)SENTINEL, &out),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_RESULT(paraph_document_pages(document, NULL), PARAPH_E_INVALID_ARGUMENT);
  CHECK(paraph_document_data(NULL) == NULL);
  CHECK(paraph_document_len(NULL) == 0);

  /* A paraph_bytes is not a paraph_document. */
  CHECK_RESULT(paraph_document_pages(document, &not_a_document), PARAPH_OK);
  CHECK_RESULT(paraph_document_pages((const paraph_document *)not_a_document, &out),
               PARAPH_E_INVALID_ARGUMENT);
  CHECK_MESSAGE_STARTS("paraph_document_pages: document is a paraph_bytes, not a paraph_document");
  paraph_document_free((paraph_document *)not_a_document); /* wrong type: left alone */
  CHECK(paraph_bytes_len(not_a_document) > 0);
  paraph_bytes_free(not_a_document);

  paraph_document_free(document);
  CHECK_RESULT(paraph_document_pages(document, &out), PARAPH_E_INVALID_ARGUMENT);
  CHECK_MESSAGE_STARTS("paraph_document_pages: document is not a live paraph_document");
  paraph_document_free(document); /* twice: nothing happens */
  paraph_document_free(NULL);
}

int main(void) {
  opening_refuses_what_is_not_a_readable_pdf();
  pages_and_fields_are_the_core_s_json();
  fields_are_added_as_a_new_document();
  null_freed_and_wrong_handles_are_refused();
  return finish("test_document");
}
