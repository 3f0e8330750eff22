// The image reference checker (see ImageRef.h), after the grammar of the container
// registries' reference format.
#include "support/ImageRef.h"

#include <regex>
#include <string>

namespace flyte {

std::string image_ref_problem(std::string_view ref) {
  if (ref.empty()) return "it is empty";
  if (ref.size() > 512) return "it is longer than 512 characters";
  std::string s(ref);
  std::string digest;
  if (size_t at = s.find('@'); at != std::string::npos) {
    digest = s.substr(at + 1);
    s = s.substr(0, at);
    static const std::regex kDigest(
        R"([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})");
    if (!std::regex_match(digest, kDigest))
      return "the digest after '@' is not ALGORITHM:HEX (such as sha256:...)";
  }
  // The tag is after the last ':' that follows the last '/' (a registry port is before).
  std::string tag;
  size_t slash = s.rfind('/');
  if (size_t colon = s.rfind(':');
      colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    tag = s.substr(colon + 1);
    s = s.substr(0, colon);
    static const std::regex kTag(R"([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})");
    if (!std::regex_match(tag, kTag))
      return "the tag '" + tag + "' is not 1 to 128 of [A-Za-z0-9_.-], starting with no '.' or '-'";
  }
  if (s.empty()) return "it has no name";
  if (s.size() > 255) return "its name is longer than 255 characters";
  // A first component with a '.' or ':', or `localhost`, is a registry host.
  std::string rest = s;
  if (size_t first = s.find('/'); first != std::string::npos) {
    std::string host = s.substr(0, first);
    if (host.find_first_of(".:") != std::string::npos || host == "localhost") {
      static const std::regex kHost(
          R"((?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*(?::[0-9]+)?)");
      if (!std::regex_match(host, kHost)) return "the registry '" + host + "' is no host name";
      rest = s.substr(first + 1);
    }
  }
  static const std::regex kComponent(R"([a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)");
  size_t start = 0;
  for (;;) {
    size_t end = rest.find('/', start);
    std::string component = rest.substr(start, end == std::string::npos ? end : end - start);
    if (!std::regex_match(component, kComponent))
      return "'" + component +
             "' is no name component (lowercase letters and digits, separated by '.', '_' or "
             "'-')";
    if (end == std::string::npos) return {};
    start = end + 1;
  }
}

}  // namespace flyte
