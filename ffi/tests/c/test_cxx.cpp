// The header from C++17: extern "C" linkage, paraph_result as an enum with a
// 32-bit underlying type, and RAII over the handles.
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>

#include "paraph.h"

static_assert(std::is_same<std::underlying_type<paraph_result>::type, uint32_t>::value,
              "paraph_result is 32 bits, as the ABI returns it");
static_assert(PARAPH_E_ENVELOPE_NOT_SENT == 2002, "codes keep their numbers in C++");

namespace {

struct BytesFree {
  void operator()(paraph_bytes *bytes) const { paraph_bytes_free(bytes); }
};
struct SecretFree {
  void operator()(paraph_webhook_secret *secret) const { paraph_webhook_secret_free(secret); }
};
using Bytes = std::unique_ptr<paraph_bytes, BytesFree>;
using Secret = std::unique_ptr<paraph_webhook_secret, SecretFree>;

int failures = 0;

void check(bool ok, const char *what) {
  if (!ok) {
    std::fprintf(stderr, "CHECK failed: %s\n", what);
    failures++;
  }
}

const char *family(paraph_result result) {
  switch (result) {
    case PARAPH_OK:
      return "ok";
    case PARAPH_E_WEBHOOK_SIGNATURE_MISMATCH:
      return "webhook";
    default:
      return "other";
  }
}

}  // namespace

int main() {
  const std::string text = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  paraph_webhook_secret *raw = nullptr;
  check(paraph_webhook_secret_parse(text.data(), text.size(), &raw) == PARAPH_OK, "parse");
  Secret secret(raw);

  const paraph_webhook_secret *secrets[] = {secret.get()};
  const std::string id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  const std::string payload = "{\"test\": 2432232314}";
  paraph_bytes *raw_signature = nullptr;
  paraph_result signed_ = paraph_webhook_sign(
      secrets, 1, id.data(), id.size(), 1614265330,
      reinterpret_cast<const uint8_t *>(payload.data()), payload.size(), &raw_signature);
  Bytes signature(raw_signature);
  check(signed_ == PARAPH_OK, "sign");
  check(std::string(reinterpret_cast<const char *>(paraph_bytes_data(signature.get()))) ==
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "the spec vector's signature");

  paraph_result wrong = paraph_webhook_verify(
      secret.get(), id.data(), id.size(), "1614265330", 10, "v1,AAAA", 7,
      reinterpret_cast<const uint8_t *>(payload.data()), payload.size(), 1614265330,
      PARAPH_WEBHOOK_DEFAULT_TOLERANCE_SECONDS);
  check(std::strcmp(family(wrong), "webhook") == 0, "a mismatch in a switch");
  check(std::string(paraph_result_name(wrong)) == "WEBHOOK_SIGNATURE_MISMATCH", "name");
  check(std::string(paraph_version()).find('.') != std::string::npos, "version");

  signature.reset();
  secret.reset();
  check(paraph_handle_count() == 0, "every handle freed");
  std::printf("test_cxx: %s\n", failures == 0 ? "ok" : "failed");
  return failures == 0 ? 0 : 1;
}
