// Reading a call's arguments at the N-API boundary. What an argument means
// is checked once, in TypeScript (src/backend/checked.ts), before any call
// reaches the addon; these checks refuse only what would make the addon or a
// kernel touch memory out of bounds or convert a number it cannot hold: the
// kind and exact length of each typed array, integers (sizes, enum codes,
// every index used as an offset) in their range, and a buffer that a getter
// detached while the arguments were read. Each throws a short TypeError
// (wrong kind) or RangeError (wrong size or value) naming the argument:
//   "train: job.x must be a Float32Array"
//   "train: job.x must have length 6"
//   "forward: net.sizes[1] must be an integer in [1, 2147483647]"
// None of them runs user code; reading an object's property or an array's
// element (Napi::Object::Get) may, which is what Verify() is for.
#pragma once

#include <napi.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../core/communicator.h"

namespace fastnn::args {

// Sizes are limited to what a signed 32-bit index can address.
constexpr std::int64_t kMaxDim = 2147483647;
// Largest integer a double holds exactly (Number.MAX_SAFE_INTEGER, 2^53 − 1): counts stay exact.
constexpr std::int64_t kMaxSafeInteger = 9007199254740991;
// The most threads a thread pool or a word2vec job takes (validate.ts MAX_THREADS).
constexpr std::int64_t kMaxThreads = 1024;

// "path[i]": how messages name an element.
inline std::string At(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

// The kind of typed array whose elements are T: node-addon-api's own table,
// protected in Napi::TypedArray and so reached by deriving from it.
struct KindOf : Napi::TypedArray {
  template <class T>
  static napi_typedarray_type Type() {
    return TypedArrayTypeForPrimitiveType<T>();
  }
};
// What messages call each kind, indexed by napi_typedarray_type.
inline constexpr const char* kKindNames[] = {"an Int8Array",  "a Uint8Array",   "a Uint8ClampedArray",
                                             "an Int16Array", "a Uint16Array",  "an Int32Array",
                                             "a Uint32Array", "a Float32Array", "a Float64Array"};

// The arguments of one call of `fn`, read and checked in one pass.
class Args {
 public:
  Args(Napi::Env env, const char* fn) : env_(env), fn_(fn) {}

  Napi::Env env() const { return env_; }

  [[noreturn]] void ThrowType(const std::string& arg, const std::string& must) const;
  [[noreturn]] void ThrowRange(const std::string& arg, const std::string& must) const;

  double Number(const std::string& arg, Napi::Value v) const;
  // An integer in [min, max], as a T: held in a double (a typed array's element), or a number.
  template <class T = std::int64_t>
  T Int(const std::string& arg, double v, std::int64_t min, std::int64_t max) const {
    return static_cast<T>(CheckInt(arg, v, min, max));
  }
  template <class T = std::int64_t>
  T Int(const std::string& arg, Napi::Value v, std::int64_t min, std::int64_t max) const {
    return Int<T>(arg, Number(arg, v), min, max);
  }
  // Element i of array `arg` as Int reads it, the element's name ("arg[i]")
  // built only for its error: an array may hold millions of elements.
  template <class T = std::int64_t>
  T IntAt(const std::string& arg, std::size_t i, double v, std::int64_t min, std::int64_t max) const {
    if (!IsIntIn(v, min, max)) CheckInt(At(arg, i), v, min, max);
    return static_cast<T>(v);
  }
  std::size_t Size(const std::string& arg, Napi::Value v) const { return Int<std::size_t>(arg, v, 0, kMaxDim); }
  // A code of enum E: an integer in [0, count).
  template <class E>
  E Code(const std::string& arg, Napi::Value v, int count) const {
    return Int<E>(arg, v, 0, count - 1);
  }
  bool Bool(const std::string& arg, Napi::Value v) const;
  std::string String(const std::string& arg, Napi::Value v) const;
  Napi::Object Object(const std::string& arg, Napi::Value v) const;
  // A progress callback: a function, undefined or null (none).
  Napi::Value Callback(const std::string& arg, Napi::Value v) const;
  // The MPI addon's communicator (core/communicator.h), or nullptr for null or undefined (a job of one
  // process). Only an external with its type tag passes, and only of an ABI version this build knows.
  const fastnn_communicator* Communicator(const std::string& arg, Napi::Value v) const;
  // undefined or null: an optional argument left out.
  static bool Absent(Napi::Value v) { return v.IsEmpty() || v.IsUndefined() || v.IsNull(); }

  // A typed array of T's kind and exactly n elements: its data (perhaps null when n is 0).
  template <class T>
  T* Array(const std::string& arg, Napi::Value v, std::uint64_t n) {
    Napi::TypedArrayOf<T> a = AnyLength<T>(arg, v);
    if (a.ElementLength() != n) ThrowRange(arg, "must have length " + std::to_string(n));
    return a.Data();
  }
  // Array(), or null when v is undefined or null.
  template <class T>
  T* Optional(const std::string& arg, Napi::Value v, std::uint64_t n) {
    return Absent(v) ? nullptr : Array<T>(arg, v, n);
  }
  // A typed array of T's kind and any length, remembered for Verify().
  template <class T>
  Napi::TypedArrayOf<T> AnyLength(const std::string& arg, Napi::Value v) {
    const napi_typedarray_type kind = KindOf::Type<T>();
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != kind)
      ThrowType(arg, std::string("must be ") + kKindNames[kind]);
    Napi::TypedArrayOf<T> a = v.As<Napi::TypedArrayOf<T>>();
    borrowed_.push_back({a, a.Data(), a.ElementLength(), arg});
    return a;
  }
  // The elements of an array of exactly `count` entries (reading them may run getters).
  std::vector<Napi::Value> List(const std::string& arg, Napi::Value v, std::size_t count) const;

  // After the last read that may run user code: throws when a getter detached
  // or shrank a typed array whose data this call took before it ran.
  void Verify() const;

 private:
  std::int64_t CheckInt(const std::string& arg, double v, std::int64_t min, std::int64_t max) const;
  // Compared as doubles first: NaN, ±∞ and fractions never reach the integer conversion.
  static bool IsIntIn(double v, std::int64_t min, std::int64_t max) {
    return v >= static_cast<double>(min) && v <= static_cast<double>(max) && std::trunc(v) == v;
  }

  struct Borrow {
    Napi::Value array;
    const void* data;
    std::size_t length;
    std::string arg;
  };
  Napi::Env env_;
  const char* fn_;
  std::vector<Borrow> borrowed_;
};

}  // namespace fastnn::args
