// Names Kubernetes and Argo accept: object names (DNS-1123), label values, Argo
// template and task names, environment variables for secrets, memoize keys.
#pragma once

#include <string>
#include <string_view>

namespace flyte::k8s {

/// A DNS-1123 name (lowercase letters, digits, '-'; starts and ends alphanumeric) of at
/// most `max` characters: `Train_Model` is `train-model`; never empty (`x`).
std::string dns_name(std::string_view text, size_t max = 63);

/// True when `s` is a DNS-1123 subdomain (Secret names, label-key prefixes):
/// dot-separated labels of [a-z0-9-] starting and ending alphanumeric, at most 253.
bool dns_subdomain(std::string_view s);

/// A label value: at most 63 of [A-Za-z0-9._-], starting and ending alphanumeric (an
/// empty text stays empty, which Kubernetes allows).
std::string label_value(std::string_view text);

/// An Argo template name: [a-zA-Z0-9-], starting alphanumeric, at most 128 characters.
std::string template_name(std::string_view text);

/// The variable a secret is delivered in, as the local runtime reads it:
/// `api-token` is `FLYTE_SECRET_API_TOKEN`.
std::string secret_env(std::string_view secret);

}  // namespace flyte::k8s
