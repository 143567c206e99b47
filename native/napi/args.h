// Argument checks at the N-API boundary. Each throws a JS TypeError (wrong
// kind of value) or RangeError (wrong size or value) worded exactly like
// src/backend/validate.ts, so one test asserts one message for both backends:
//   "<fn>: <arg> must be a Float32Array"
//   "<fn>: <arg> must be an integer in [0, 2147483647], got -1"
//   "<fn>: <arg> must have length 6 for shape (2, 3), got 5"
// `arg` is the parameter name in backend.ts, or a path such as
// "job.net.params[2]". A missing argument (undefined) is a wrong type.
//
// None of these call back into user JS code (no getters, no valueOf), so a
// data pointer taken by one check stays valid through the later ones.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fastnn::args {

// Sizes are limited to what a signed 32-bit index can address.
constexpr double kMaxDim = 2147483647;
// Largest integer a double holds exactly (Number.MAX_SAFE_INTEGER, 2^53 − 1): counts stay exact.
constexpr std::int64_t kMaxSafeInteger = 9007199254740991;
// The most threads a thread pool or a word2vec job takes (validate.ts MAX_THREADS): far beyond
// any machine, small enough to refuse typos.
constexpr std::int64_t kMaxThreads = 1024;

// "<fn>: <arg>", the start of every message.
std::string Prefix(const char* fn, const std::string& arg);

[[noreturn]] void ThrowType(Napi::Env env, const std::string& message);
[[noreturn]] void ThrowRange(Napi::Env env, const std::string& message);

// A number formatted as JS's String(v): "3", "1.5", "NaN", "-Infinity", "1e+21".
std::string FormatNumber(Napi::Env env, double v);

// A number in [0, 2147483647] with no fractional part.
std::size_t Size(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v);
// An integer number in [min, max], e.g. job.batchSize in [1, 2147483647].
std::int64_t Int(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, std::int64_t min,
                 std::int64_t max);
// A finite number.
double Finite(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v);
// A number in the interval lo..hi, each end open or closed; the message
// prints the interval as "(0, Infinity)", "[0, 1]"...
double InRange(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, double lo, double hi, bool lo_open,
               bool hi_open);
bool Bool(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v);
std::string String(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v);
// An enum code: an integer in [0, count).
int Code(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, int count);

// A Float32Array of exactly rows×cols elements; returns its data (which may
// be null when the expected length is 0, e.g. for a detached buffer).
float* Matrix(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, std::size_t rows, std::size_t cols);
// A Float32Array of exactly n elements, shape printed "(n)".
float* Vector(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, std::size_t n);
// Matrix(), or null when v is null ("must be a Float32Array or null" otherwise).
float* OptionalMatrix(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, std::size_t rows,
                      std::size_t cols);

// A Float64Array / Uint32Array / Uint8Array of exactly n elements, shape printed "(n)".
double* Float64Vector(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, std::size_t n);
std::uint32_t* Uint32Vector(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, std::size_t n);
std::uint8_t* Uint8Vector(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, std::size_t n);

// An Int32Array / Uint32Array of any length (element checks are the caller's).
Napi::Int32Array Int32Array(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v);
// An Int32Array of exactly rows×cols elements (worded like Matrix).
std::int32_t* Int32Matrix(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, std::size_t rows,
                          std::size_t cols);
Napi::Uint32Array Uint32Array(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v);

// An object (not null); returns it for property reads.
Napi::Object Object(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v);

// The elements of a JS array that must hold exactly `count` entries
// ("<arg> must be an array" / "must be an array of 4 Float32Arrays, got 3").
// Reading elements may run user getters, so call this BEFORE taking any data
// pointer, then check the elements with Matrix()/Vector().
std::vector<Napi::Value> ArrayOf(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v,
                                 std::size_t count);

// The elements of v when it is an array of exactly `count` entries, else
// nothing; never throws a validation error. For prefetching a later
// argument's elements before any data pointer is taken, while its checks
// still run in their proper order (ArrayOf, then ParamList).
std::vector<Napi::Value> PrefetchArray(Napi::Value v, std::size_t count);

// Checks items (from ArrayOf) as a parameter list for layer widths `sizes`:
// for each layer l a weight (sizes[l+1], sizes[l]) then a bias (sizes[l+1],
// or 2·/4·sizes[l+1] where norm[l] is 1/2: a layer-/batch-normalised layer's parameters).
std::vector<float*> ParamList(Napi::Env env, const char* fn, const std::string& arg,
                              const std::vector<Napi::Value>& items, const std::vector<std::size_t>& sizes,
                              const std::vector<std::uint8_t>& norm = {});

}  // namespace fastnn::args
