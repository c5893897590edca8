/*
 * paraph from C: sign a PDF with a PKCS#12 key (PAdES B-B, a new invisible
 * signature), write it, and verify it against a trusted root.
 *
 *   sign IN.pdf SIGNER.p12 PASSWORD OUT.pdf [ROOT.pem]
 *
 * Build against an installed copy (cargo xtask install-c --prefix DIR):
 *   export PKG_CONFIG_PATH=DIR/lib/pkgconfig
 *   cc sign.c $(pkg-config --cflags --libs paraph) -o sign          # shared
 *   cc sign.c $(pkg-config --cflags --libs paraph-static) -o sign   # static
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <paraph.h>

/* Prints the failed call's code and detail, and returns 1. */
static int fail(const char *what, paraph_result result) {
  char detail[512];
  paraph_last_error_message(detail, sizeof detail, NULL);
  fprintf(stderr, "%s: %s (%u): %s\n", what, paraph_result_name(result), (unsigned)result,
          detail);
  return 1;
}

/* The whole of a file, malloc'd; NULL when it cannot be read. */
static unsigned char *slurp(const char *path, size_t *len) {
  FILE *file = fopen(path, "rb");
  unsigned char *data = NULL;
  long size;
  if (file == NULL) {
    return NULL;
  }
  if (fseek(file, 0, SEEK_END) == 0 && (size = ftell(file)) >= 0 && fseek(file, 0, SEEK_SET) == 0 &&
      (data = malloc((size_t)size + 1)) != NULL) {
    *len = fread(data, 1, (size_t)size, file);
  }
  fclose(file);
  return data;
}

int main(int argc, char **argv) {
  size_t pdf_len = 0, p12_len = 0, root_len = 0;
  unsigned char *pdf, *p12, *root = NULL;
  paraph_document *document = NULL, *signed_document = NULL;
  paraph_signer *signer = NULL;
  paraph_bytes *signed_pdf = NULL;
  paraph_result r;
  /* The caller's clock: paraph reads none. */
  const int64_t now = (int64_t)time(NULL);
  int status = 1;
  FILE *out;

  if (argc < 5) {
    fprintf(stderr, "usage: %s IN.pdf SIGNER.p12 PASSWORD OUT.pdf [ROOT.pem]\n", argv[0]);
    return 2;
  }
  pdf = slurp(argv[1], &pdf_len);
  p12 = slurp(argv[2], &p12_len);
  if (argc > 5) {
    root = slurp(argv[5], &root_len);
  }
  if (pdf == NULL || p12 == NULL || (argc > 5 && root == NULL)) {
    fprintf(stderr, "cannot read the input files\n");
    return 1;
  }
  printf("paraph %s\n", paraph_version());

  if ((r = paraph_document_open(pdf, pdf_len, &document)) != PARAPH_OK) {
    status = fail("paraph_document_open", r);
    goto done;
  }
  if ((r = paraph_signer_from_pkcs12(p12, p12_len, argv[3], strlen(argv[3]), &signer)) !=
      PARAPH_OK) {
    status = fail("paraph_signer_from_pkcs12", r);
    goto done;
  }
  r = paraph_document_sign(document, signer, NULL, /* tsa */
                           NULL, 0,                /* field: a new invisible one */
                           NULL, 0,                /* name: the certificate's */
                           "Approved", strlen("Approved"), NULL, 0, /* no image */
                           now, &signed_pdf);
  if (r != PARAPH_OK) {
    status = fail("paraph_document_sign", r);
    goto done;
  }
  out = fopen(argv[4], "wb");
  if (out == NULL ||
      fwrite(paraph_bytes_data(signed_pdf), 1, paraph_bytes_len(signed_pdf), out) !=
          paraph_bytes_len(signed_pdf) ||
      fclose(out) != 0) {
    fprintf(stderr, "cannot write %s\n", argv[4]);
    goto done;
  }
  printf("signed: %s (%zu bytes)\n", argv[4], paraph_bytes_len(signed_pdf));

  if ((r = paraph_document_open(paraph_bytes_data(signed_pdf), paraph_bytes_len(signed_pdf),
                                &signed_document)) != PARAPH_OK) {
    status = fail("paraph_document_open", r);
    goto done;
  }
  r = paraph_document_verify_verdict(signed_document, root, root_len, now);
  if (r != PARAPH_OK) {
    status = fail("paraph_document_verify_verdict", r);
    goto done;
  }
  printf("verified: every signature intact%s\n", root ? " and trusted" : "");
  status = 0;

done:
  paraph_document_free(signed_document);
  paraph_bytes_free(signed_pdf);
  paraph_signer_free(signer);
  paraph_document_free(document);
  free(pdf);
  free(p12);
  free(root);
  return status;
}
