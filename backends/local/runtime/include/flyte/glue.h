// What the glue `flytec build` generates for C++ tasks includes (not for task code):
// conversions between the runtime's JSON values and the types of flyte/task.h and the
// standard library, and the hooks the runtime implements (CppRunner.cpp): reading and
// writing .npy tensors, and the table of task entry points the glue registers itself in.
#pragma once

#include <flyte/task.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace flyte::glue {

using json = nlohmann::json;

/// Where a task's tensor outputs go, and how many were written.
struct Out {
  std::string dir;
  int written = 0;
};

/// An entry point: the task's arguments as JSON text in, its outputs as JSON text out.
using TaskFn = std::string (*)(const std::string& args, Context& ctx, Out& out);

// Implemented by the runtime.
/// Registers `fn` as the entry point of task `task` (its qualified name); returns true.
bool register_task(const char* task, TaskFn fn);
/// The .npy file at `path`: its dtype (`f32`), shape and data, which `owner` keeps alive
/// (a read-only mapping of the file when it can be).
struct NpyData {
  std::string dtype;
  std::vector<int64_t> shape;
  const void* data = nullptr;
  std::shared_ptr<const void> owner;
};
NpyData read_npy(const std::string& path);
/// Writes a tensor as a new .npy file in `out.dir` and returns its path.
std::string write_npy(Out& out, const std::string& dtype, const std::vector<int64_t>& shape,
                      const void* data, size_t bytes);

/// The dtype of tensor elements T.
template <typename T>
constexpr const char* dtype_of() {
  if constexpr (std::is_same_v<T, float>) return "f32";
  if constexpr (std::is_same_v<T, double>) return "f64";
  if constexpr (std::is_same_v<T, bool>) return "bool";
  if constexpr (std::is_integral_v<T> && std::is_signed_v<T> && sizeof(T) == 8) return "i64";
  if constexpr (std::is_integral_v<T> && std::is_signed_v<T> && sizeof(T) == 4) return "i32";
  if constexpr (std::is_integral_v<T> && std::is_signed_v<T> && sizeof(T) == 1) return "i8";
  if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T> && sizeof(T) == 1) return "u8";
  return "?";
}

/// Decodes a JSON value into T (`writable`: the task may change it, so no tensor is a
/// view of a read-only file) and encodes a T. The glue specializes it for the task's
/// structs.
template <typename T, typename = void>
struct Codec;

template <typename T>
T decode(const json& j, bool writable) {
  return Codec<std::decay_t<T>>::decode(j, writable);
}
template <typename T>
json encode(const T& v, Out& out) {
  return Codec<std::decay_t<T>>::encode(v, out);
}

template <typename T>
struct Codec<T, std::enable_if_t<std::is_arithmetic_v<T>>> {
  static T decode(const json& j, bool) { return j.get<T>(); }
  static json encode(const T& v, Out&) { return json(v); }
};

template <>
struct Codec<std::string> {
  static std::string decode(const json& j, bool) { return j.get<std::string>(); }
  static json encode(const std::string& v, Out&) { return json(v); }
};

template <>
struct Codec<Path> {
  static Path decode(const json& j, bool) { return Path(j.get<std::string>()); }
  static json encode(const Path& v, Out&) { return json(v.str()); }
};

template <typename T>
struct Codec<Tensor<T>> {
  static Tensor<T> decode(const json& j, bool writable) {
    NpyData d = read_npy(j.get<std::string>());
    if (d.dtype != dtype_of<T>()) {
      throw std::runtime_error("tensor '" + j.get<std::string>() + "' holds " + d.dtype + ", not " +
                               dtype_of<T>());
    }
    if (!writable) {
      return Tensor<T>(d.shape, const_cast<T*>(static_cast<const T*>(d.data)),
                       std::const_pointer_cast<void>(d.owner));
    }
    Tensor<T> t(d.shape);
    const T* from = static_cast<const T*>(d.data);
    std::copy(from, from + t.size(), t.data());
    return t;
  }
  static json encode(const Tensor<T>& v, Out& out) {
    return json(write_npy(out, dtype_of<T>(), v.shape(), v.data(), v.size() * sizeof(T)));
  }
};

template <typename T>
struct Codec<std::vector<T>> {
  static std::vector<T> decode(const json& j, bool writable) {
    std::vector<T> v;
    v.reserve(j.size());
    for (const json& e : j) v.push_back(Codec<T>::decode(e, writable));
    return v;
  }
  static json encode(const std::vector<T>& v, Out& out) {
    json j = json::array();
    for (const T& e : v) j.push_back(Codec<T>::encode(e, out));
    return j;
  }
};

template <typename T>
struct Codec<std::map<std::string, T>> {
  static std::map<std::string, T> decode(const json& j, bool writable) {
    std::map<std::string, T> m;
    for (auto it = j.begin(); it != j.end(); ++it)
      m.emplace(it.key(), Codec<T>::decode(it.value(), writable));
    return m;
  }
  static json encode(const std::map<std::string, T>& m, Out& out) {
    json j = json::object();
    for (const auto& [k, v] : m) j[k] = Codec<T>::encode(v, out);
    return j;
  }
};

template <typename T>
struct Codec<std::optional<T>> {
  static std::optional<T> decode(const json& j, bool writable) {
    if (j.is_null()) return std::nullopt;
    return Codec<T>::decode(j, writable);
  }
  static json encode(const std::optional<T>& v, Out& out) {
    return v ? Codec<T>::encode(*v, out) : json(nullptr);
  }
};

/// The parameter types of a function pointer type F: arg_t<F, 0> is the first, decayed.
template <typename F>
struct fn_traits;
template <typename R, typename... A>
struct fn_traits<R (*)(A...)> {
  using args = std::tuple<A...>;
};
template <typename F, size_t I>
using arg_t = std::decay_t<std::tuple_element_t<I, typename fn_traits<F>::args>>;

/// The named outputs of a task returned as a std::tuple, in order.
template <typename... Ts, size_t... I>
json encode_tuple(const std::tuple<Ts...>& t, const std::vector<std::string>& names, Out& out,
                  std::index_sequence<I...>) {
  json j = json::object();
  ((j[names[I]] = Codec<std::decay_t<Ts>>::encode(std::get<I>(t), out)), ...);
  return j;
}
template <typename... Ts>
json encode_tuple(const std::tuple<Ts...>& t, const std::vector<std::string>& names, Out& out) {
  return encode_tuple(t, names, out, std::index_sequence_for<Ts...>{});
}

}  // namespace flyte::glue
