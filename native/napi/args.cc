#include "args.h"

#include <cmath>

namespace fastnn::args {

std::string Prefix(const char* fn, const std::string& arg) { return std::string(fn) + ": " + arg; }

namespace {

bool IsTypedArrayOf(Napi::Value v, napi_typedarray_type type) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == type;
}

bool IsInteger(double v) { return std::isfinite(v) && std::trunc(v) == v; }

std::string Shape(std::size_t rows, std::size_t cols, bool vector) {
  return vector ? "(" + std::to_string(rows) + ")" : "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
}

// Shared by Matrix and Vector: the shape string differs, the check does not.
float* Float32Of(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, std::size_t rows,
                 std::size_t cols, bool vector) {
  if (!IsTypedArrayOf(v, napi_float32_array)) ThrowType(env, Prefix(fn, arg) + " must be a Float32Array");
  // rows, cols ≤ 2^31 − 1, so the product is exact in 64 bits.
  const std::uint64_t expected = static_cast<std::uint64_t>(rows) * (vector ? 1 : cols);
  if (expected > static_cast<std::uint64_t>(kMaxSafeInteger)) {
    ThrowRange(env, Prefix(fn, arg) + " shape " + Shape(rows, cols, vector) + " is too large");
  }
  Napi::Float32Array array = v.As<Napi::Float32Array>();
  // A detached buffer reports length 0 and lands here as a plain length error.
  const std::size_t length = array.ElementLength();
  if (length != expected) {
    ThrowRange(env, Prefix(fn, arg) + " must have length " + std::to_string(expected) + " for shape " +
                        Shape(rows, cols, vector) + ", got " + std::to_string(length));
  }
  return array.Data();
}

// The element count check every typed-array argument shares.
void CheckLength(Napi::Env env, const char* fn, const std::string& arg, std::size_t length, std::size_t n) {
  if (length != n) {
    ThrowRange(env, Prefix(fn, arg) + " must have length " + std::to_string(n) + " for shape (" + std::to_string(n) +
                        "), got " + std::to_string(length));
  }
}

}  // namespace

void ThrowType(Napi::Env env, const std::string& message) { throw Napi::TypeError::New(env, message); }

void ThrowRange(Napi::Env env, const std::string& message) { throw Napi::RangeError::New(env, message); }

std::string FormatNumber(Napi::Env env, double v) {
  // Coercing a number primitive runs no user code and gives JS's exact
  // shortest round-trip formatting.
  return Napi::Number::New(env, v).ToString().Utf8Value();
}

std::int64_t Int(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, std::int64_t min,
                 std::int64_t max) {
  if (!v.IsNumber()) ThrowType(env, Prefix(fn, arg) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!IsInteger(d) || d < static_cast<double>(min) || d > static_cast<double>(max)) {
    ThrowRange(env, Prefix(fn, arg) + " must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
                        "], got " + FormatNumber(env, d));
  }
  return static_cast<std::int64_t>(d);
}

std::size_t Size(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v) {
  return static_cast<std::size_t>(Int(env, fn, arg, v, 0, static_cast<std::int64_t>(kMaxDim)));
}

double Finite(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v) {
  if (!v.IsNumber()) ThrowType(env, Prefix(fn, arg) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d)) ThrowRange(env, Prefix(fn, arg) + " must be finite, got " + FormatNumber(env, d));
  return d;
}

double InRange(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, double lo, double hi, bool lo_open,
               bool hi_open) {
  if (!v.IsNumber()) ThrowType(env, Prefix(fn, arg) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  const bool above = lo_open ? d > lo : d >= lo;
  const bool below = hi_open ? d < hi : d <= hi;
  if (!(above && below)) {  // NaN fails both
    ThrowRange(env, Prefix(fn, arg) + " must be a number in " + (lo_open ? "(" : "[") + FormatNumber(env, lo) + ", " +
                        FormatNumber(env, hi) + (hi_open ? ")" : "]") + ", got " + FormatNumber(env, d));
  }
  return d;
}

bool Bool(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v) {
  if (!v.IsBoolean()) ThrowType(env, Prefix(fn, arg) + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

std::string String(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v) {
  if (!v.IsString()) ThrowType(env, Prefix(fn, arg) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

int Code(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, int count) {
  return static_cast<int>(Int(env, fn, arg, v, 0, count - 1));
}

float* Matrix(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, std::size_t rows,
              std::size_t cols) {
  return Float32Of(env, fn, arg, v, rows, cols, false);
}

float* Vector(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, std::size_t n) {
  return Float32Of(env, fn, arg, v, n, 1, true);
}

float* OptionalMatrix(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, std::size_t rows,
                      std::size_t cols) {
  if (v.IsNull()) return nullptr;
  if (!IsTypedArrayOf(v, napi_float32_array)) {
    ThrowType(env, Prefix(fn, arg) + " must be a Float32Array or null");
  }
  return Matrix(env, fn, arg, v, rows, cols);
}

double* Float64Vector(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, std::size_t n) {
  if (!IsTypedArrayOf(v, napi_float64_array)) ThrowType(env, Prefix(fn, arg) + " must be a Float64Array");
  Napi::Float64Array array = v.As<Napi::Float64Array>();
  CheckLength(env, fn, arg, array.ElementLength(), n);
  return array.Data();
}

std::uint32_t* Uint32Vector(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, std::size_t n) {
  Napi::Uint32Array array = Uint32Array(env, fn, arg, v);
  CheckLength(env, fn, arg, array.ElementLength(), n);
  return array.Data();
}

std::uint8_t* Uint8Vector(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, std::size_t n) {
  if (!IsTypedArrayOf(v, napi_uint8_array)) ThrowType(env, Prefix(fn, arg) + " must be a Uint8Array");
  Napi::Uint8Array array = v.As<Napi::Uint8Array>();
  CheckLength(env, fn, arg, array.ElementLength(), n);
  return array.Data();
}

Napi::Int32Array Int32Array(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v) {
  if (!IsTypedArrayOf(v, napi_int32_array)) ThrowType(env, Prefix(fn, arg) + " must be an Int32Array");
  return v.As<Napi::Int32Array>();
}

std::int32_t* Int32Matrix(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v, std::size_t rows,
                          std::size_t cols) {
  Napi::Int32Array a = Int32Array(env, fn, arg, v);
  if (a.ElementLength() != rows * cols) {
    ThrowRange(env, Prefix(fn, arg) + " must have length " + std::to_string(rows * cols) + " for shape " +
                        Shape(rows, cols, false) + ", got " + std::to_string(a.ElementLength()));
  }
  return a.Data();
}

Napi::Uint32Array Uint32Array(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v) {
  if (!IsTypedArrayOf(v, napi_uint32_array)) ThrowType(env, Prefix(fn, arg) + " must be a Uint32Array");
  return v.As<Napi::Uint32Array>();
}

Napi::Object Object(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v) {
  // typeof v === 'object' && v !== null: functions and null are refused.
  if (v.Type() != napi_object) ThrowType(env, Prefix(fn, arg) + " must be an object");
  return v.As<Napi::Object>();
}

std::vector<Napi::Value> ArrayOf(Napi::Env env, const char* fn, const std::string& arg, Napi::Value v,
                                 std::size_t count) {
  if (!v.IsArray()) ThrowType(env, Prefix(fn, arg) + " must be an array");
  Napi::Array array = v.As<Napi::Array>();
  const std::uint32_t length = array.Length();
  if (length != count) {
    ThrowRange(env, Prefix(fn, arg) + " must be an array of " + std::to_string(count) + " Float32Arrays, got " +
                        std::to_string(length));
  }
  std::vector<Napi::Value> items;
  items.reserve(count);
  for (std::uint32_t i = 0; i < length; i++) items.push_back(array.Get(i));
  return items;
}

std::vector<Napi::Value> PrefetchArray(Napi::Value v, std::size_t count) {
  std::vector<Napi::Value> items;
  if (!v.IsArray()) return items;
  Napi::Array array = v.As<Napi::Array>();
  if (array.Length() != count) return items;
  items.reserve(count);
  for (std::uint32_t i = 0; i < count; i++) items.push_back(array.Get(i));
  return items;
}

std::vector<float*> ParamList(Napi::Env env, const char* fn, const std::string& arg,
                              const std::vector<Napi::Value>& items, const std::vector<std::size_t>& sizes,
                              const std::vector<std::uint8_t>& norm) {
  std::vector<float*> ptrs(items.size());
  for (std::size_t l = 0; l + 1 < sizes.size(); l++) {
    const std::string w = arg + "[" + std::to_string(2 * l) + "]";
    const std::string b = arg + "[" + std::to_string(2 * l + 1) + "]";
    ptrs[2 * l] = Matrix(env, fn, w, items[2 * l], sizes[l + 1], sizes[l]);
    const std::uint8_t code = l < norm.size() ? norm[l] : 0;
    ptrs[2 * l + 1] = Vector(env, fn, b, items[2 * l + 1], sizes[l + 1] * (code == 2 ? 4 : code == 1 ? 2 : 1));
  }
  return ptrs;
}

}  // namespace fastnn::args
