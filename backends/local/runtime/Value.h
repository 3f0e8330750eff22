// Run-time values. Every value is JSON: numbers, strings and booleans as themselves,
// `duration` as seconds, `size` as bytes, `File`, `Dir` and `Tensor` as absolute paths
// (a tensor is a NumPy .npy file), lists as arrays, maps and structs as objects, enums as
// the member's name, `none` as null, and a call's named outputs as an object.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ir/Types.h"
#include "ir/Value.h"

namespace flyte::rt {

using Value = nlohmann::json;

/// A constant of the IR (`42`, `0.5`, `90s`, `[1, 2]`, `Point { x = 1 }`, `Color.red`,
/// `none`) as a run-time value of type `t`: an int where a float is expected becomes a
/// float (a struct value's fields keep their literal's kind), durations are seconds,
/// sizes bytes, paths and enum members strings.
Value constant_value(const ir::Value& c, const TypeTable& types, TypeId t);

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
/// against type `t`, at any depth: ints within 64 bits, floats finite, durations and
/// sizes not negative, strings without NUL bytes, enums one of their members, structs
/// with exactly their fields (a missing optional field is `none`). `File` and `Dir`
/// paths must exist and be of that kind; relative ones are taken relative to `base_dir`
/// (the current directory when empty). False with `error` naming what is wrong and where
/// (`[2].x: expected an int, found "a"`).
bool check_value(Value& v, const TypeTable& types, TypeId t, std::string& error,
                 const std::string& base_dir = "");

/// How deeply JSON from outside (inputs, task outputs, run files) may nest.
constexpr int kMaxJsonDepth = 256;

/// Parses JSON text whose nesting is at most kMaxJsonDepth levels. nullopt with `error`
/// ("nested more than 256 levels deep", "not valid JSON") otherwise.
std::optional<Value> parse_json(std::string_view text, std::string& error);

/// Calls `fn(leaf, pointer)` for every `File`, `Dir` and `Tensor` inside `v` (of type
/// `t`), at any depth: list items, map values, struct fields, optionals, named outputs.
/// `pointer` is the leaf's JSON pointer below `prefix` (`/o/2`, `/train/x`).
void visit_paths(Value& v, const TypeTable& types, TypeId t,
                 const std::function<void(Value& leaf, const std::string& pointer)>& fn,
                 const std::string& prefix = "");

/// The compact JSON text of a value, with keys in a fixed order: the canonical encoding
/// that cache keys hash.
std::string canonical(const Value& v);

}  // namespace flyte::rt
