// Run-time values. Every value is JSON: numbers, strings and booleans as themselves,
// `duration` as seconds, `size` as bytes, `File`, `Dir` and `Tensor` as absolute paths
// (a tensor is a NumPy .npy file), lists as arrays, maps and structs as objects, enums as
// the member's name, `none` as null, and a call's named outputs as an object.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ir/Types.h"

namespace flyte::rt {

using Value = nlohmann::json;

/// Reads a constant in the IR's source form (`42`, `0.5`, `"a\n"`, `90s`, `4096B`,
/// `[1, 2]`, `{"k": 1}`, `Point { x = 1 }`, `none`) as a value of type `t` (an int
/// literal where a float is expected becomes a float). nullopt with `error` when the
/// text is not a constant.
std::optional<Value> parse_constant(const std::string& text, const TypeTable& types, TypeId t,
                                    std::string& error);

/// True for the types a shell command gets inline and writes as text: int, float, bool,
/// string, duration, size, and enums.
bool is_scalar(const TypeTable& types, TypeId t);
/// True for File, Dir and Tensor: values that are paths to data.
bool is_path(const TypeTable& types, TypeId t);

/// A scalar's text form (LANGUAGE.md 4.1): `true`, `0.5`, `1e-06`, seconds, bytes.
std::string scalar_text(const Value& v);

/// Reads a scalar of type `t` from text (surrounding whitespace trimmed). nullopt with
/// `error` ("expected an int, found 'abc'") when the text is not one.
std::optional<Value> parse_scalar(std::string_view text, const TypeTable& types, TypeId t,
                                  std::string& error);

/// Checks (and normalizes: ints to floats, relative paths to absolute ones) a value
/// against type `t`. `File` and `Dir` paths must exist and be of that kind. False with
/// `error` naming what is wrong and where (`[2].x: expected an int, found "a"`).
bool check_value(Value& v, const TypeTable& types, TypeId t, std::string& error);

/// The compact JSON text of a value, with keys in a fixed order: the canonical encoding
/// that cache keys hash.
std::string canonical(const Value& v);

}  // namespace flyte::rt
