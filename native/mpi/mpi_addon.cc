// fastnn_mpi.node: the optional addon that binds the system's MPI (built by
// native/mpi/binding.gyp where MPI is installed; src/distributed/ loads it).
// Node-API glue only: each export checks its arguments, hands the MPI work
// to the communication thread (comm_thread.h) and settles a Promise on the
// JS thread when it is done; the JS thread never calls MPI.
//
// Arrays on an ArrayBuffer are copied into native memory when the call is
// made and the result copied back when it settles; arrays on a
// SharedArrayBuffer, which cannot be detached, are worked on in place (Held).
#include <napi.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "collectives.h"
#include "comm_thread.h"
#include "communicator_abi.h"

namespace fastnn::mpi {

namespace {

// One call in flight: its work (communication thread), then its settlement (JS thread).
struct Call {
  Napi::Promise::Deferred deferred;
  Napi::ThreadSafeFunction tsfn;
  std::function<std::string()> work;
  std::function<Napi::Value(Napi::Env)> settle;
  std::string error;
};

Napi::Value Start(Napi::Env env, const char* fn, std::function<std::string()> work,
                  std::function<Napi::Value(Napi::Env)> settle) {
  auto* call = new Call{Napi::Promise::Deferred::New(env), {}, std::move(work), std::move(settle), {}};
  call->tsfn = Napi::ThreadSafeFunction::New(env, Napi::Function::New(env, [](const Napi::CallbackInfo&) {}), fn, 0, 1);
  Napi::Promise promise = call->deferred.Promise();
  CommThread::Get().Post([call, fn] {
    call->error = call->work();
    if (!call->error.empty()) call->error = std::string(fn) + ": " + call->error;
    Napi::ThreadSafeFunction tsfn = call->tsfn;  // the callback deletes `call`
    tsfn.BlockingCall(call, [](Napi::Env env, Napi::Function, Call* c) {
      std::unique_ptr<Call> owned(c);
      if (!c->error.empty()) {
        c->deferred.Reject(Napi::Error::New(env, c->error).Value());
        return;
      }
      c->deferred.Resolve(c->settle(env));
    });
    tsfn.Release();
  });
  return promise;
}

[[noreturn]] void ThrowType(Napi::Env env, const std::string& message) { throw Napi::TypeError::New(env, message); }

int Root(Napi::Env env, const char* fn, const Napi::Value& v) {
  if (!v.IsNumber()) ThrowType(env, std::string(fn) + ": root must be an integer");
  const double root = v.As<Napi::Number>().DoubleValue();
  if (root != static_cast<int>(root) || root < 0) {
    throw Napi::RangeError::New(env, std::string(fn) + ": root must be a non-negative integer");
  }
  return static_cast<int>(root);
}

// The typed array's first byte, whether an ArrayBuffer or a SharedArrayBuffer (a model's weights) backs it:
// Napi::TypedArray::ArrayBuffer() refuses the latter.
std::uint8_t* DataOf(const Napi::TypedArray& array) {
  void* data = nullptr;
  NAPI_THROW_IF_FAILED(
      array.Env(), napi_get_typedarray_info(array.Env(), array, nullptr, nullptr, &data, nullptr, nullptr), nullptr);
  return static_cast<std::uint8_t*>(data);
}

bool IsShared(const Napi::TypedArray& array) {
  napi_value buffer;
  NAPI_THROW_IF_FAILED(
      array.Env(), napi_get_typedarray_info(array.Env(), array, nullptr, nullptr, nullptr, &buffer, nullptr), false);
  return !Napi::Value(array.Env(), buffer).IsArrayBuffer();
}

// A typed array's bytes for the communication thread, and a reference that keeps the array alive until the call
// settles. An array on a SharedArrayBuffer (a model's weights and optimizer state: O(model) bytes) is worked on in
// place: such a buffer can be neither detached nor shrunk, and its owner does not write it while it awaits the
// call (a fit's start). Any other array could be transferred meanwhile, so its bytes are copied, and the result is
// copied back when the call settles.
struct Held {
  std::shared_ptr<Napi::Reference<Napi::TypedArray>> array;
  std::shared_ptr<std::vector<std::uint8_t>> copy;  // null when worked on in place
  std::uint8_t* bytes;
  std::size_t size;
};

Held Hold(Napi::TypedArray array) {
  std::uint8_t* at = DataOf(array);
  const std::size_t size = array.ByteLength();
  auto ref = std::make_shared<Napi::Reference<Napi::TypedArray>>(Napi::Persistent(array));
  if (IsShared(array)) return {ref, nullptr, at, size};
  auto copy = std::make_shared<std::vector<std::uint8_t>>(at, at + size);
  return {ref, copy, copy->data(), size};
}

// Copies a copied array's result back, unless the array was detached or shrunk meanwhile (or is empty: no data
// pointer).
void WriteBack(const Held& held) {
  if (!held.copy) return;
  Napi::TypedArray array = held.array->Value();
  if (array.ByteLength() != held.size || held.size == 0) return;
  std::memcpy(DataOf(array), held.bytes, held.size);
}

// [async] init(): Promise<{ rank, size }>. Starts MPI (MPI_Init_thread on the
// communication thread); later calls resolve with the same world.
Napi::Value Init(const Napi::CallbackInfo& info) {
  auto world = std::make_shared<std::pair<int, int>>(0, 1);
  return Start(
      info.Env(), "distributed",
      [world] {
        std::string why = CommThread::Get().Init();
        *world = {CommThread::Get().rank(), CommThread::Get().size()};
        return why;
      },
      [world](Napi::Env env) {
        Napi::Object result = Napi::Object::New(env);
        result.Set("rank", world->first);
        result.Set("size", world->second);
        return result;
      });
}

// [async] allreduceSum(array: Float32Array | Float64Array): Promise<void>.
// array ← Σ over ranks, added in rank order (collectives.h), in place.
Napi::Value AllreduceSumJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "allreduceSum";
  if (!info[0].IsTypedArray()) ThrowType(env, std::string(fn) + ": array must be a Float32Array or Float64Array");
  Napi::TypedArray array = info[0].As<Napi::TypedArray>();
  const napi_typedarray_type type = array.TypedArrayType();
  if (type != napi_float32_array && type != napi_float64_array) {
    ThrowType(env, std::string(fn) + ": array must be a Float32Array or Float64Array");
  }
  Held held = Hold(array);
  const std::size_t n = array.ElementLength();
  return Start(
      env, fn,
      [held, n, type] {
        if (type == napi_float32_array) return AllreduceSum(reinterpret_cast<float*>(held.bytes), n);
        return AllreduceSum(reinterpret_cast<double*>(held.bytes), n);
      },
      [held](Napi::Env env) {
        WriteBack(held);
        return env.Undefined();
      });
}

// Float32Arrays on SharedArrayBuffers, each holding at least `count` floats,
// for the communication thread to work on IN PLACE while other threads may
// write them too: a SharedArrayBuffer can be neither detached nor shrunk, and
// `refs` keeps each referenced until the call settles.
struct SharedArrays {
  std::vector<float*> data;
  std::shared_ptr<std::vector<Napi::Reference<Napi::TypedArray>>> refs;
  std::size_t count;
};

SharedArrays ReadSharedArrays(Napi::Env env, const char* fn, const Napi::Value& arrays, const Napi::Value& counted) {
  if (!arrays.IsArray()) ThrowType(env, std::string(fn) + ": arrays must be an array of Float32Arrays");
  Napi::Array list = arrays.As<Napi::Array>();
  if (!counted.IsNumber()) ThrowType(env, std::string(fn) + ": count must be a number");
  const double count = counted.As<Napi::Number>().DoubleValue();
  if (!(count >= 0) || count != static_cast<double>(static_cast<std::size_t>(count))) {
    throw Napi::RangeError::New(env, std::string(fn) + ": count must be a non-negative integer");
  }
  SharedArrays out{
      {}, std::make_shared<std::vector<Napi::Reference<Napi::TypedArray>>>(), static_cast<std::size_t>(count)};
  for (std::uint32_t k = 0; k < list.Length(); k++) {
    const std::string what = std::string(fn) + ": arrays[" + std::to_string(k) + "]";
    Napi::Value v = list.Get(k);
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      ThrowType(env, what + " must be a Float32Array");
    napi_typedarray_type type;
    std::size_t length = 0, offset = 0;
    void* data = nullptr;
    napi_value buffer;
    NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset), out);
    if (Napi::Value(env, buffer).IsArrayBuffer()) ThrowType(env, what + " must be on a SharedArrayBuffer");
    if (length < count) throw Napi::RangeError::New(env, what + " holds fewer than count floats");
    out.data.push_back(static_cast<float*>(data));
    out.refs->push_back(Napi::Persistent(v.As<Napi::TypedArray>()));
  }
  return out;
}

// [async] averageInPlace(arrays: Float32Array[], count: number, replace: boolean): Promise<void>.
// The first `count` floats of each array ← their mean over the ranks (collectives.h
// AverageInPlace), on shared memory (SharedArrays).
Napi::Value AverageInPlaceJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "averageInPlace";
  SharedArrays arrays = ReadSharedArrays(env, fn, info[0], info[1]);
  if (!info[2].IsBoolean()) ThrowType(env, std::string(fn) + ": replace must be a boolean");
  const bool replace = info[2].As<Napi::Boolean>().Value();
  return Start(
      env, fn, [arrays, replace] { return AverageInPlace(arrays.data, arrays.count, replace); },
      [arrays](Napi::Env env) { return env.Undefined(); });
}

// [async] averageRound(header: Float64Array, arrays: Float32Array[], count: number):
// Promise<{ headerSeconds, seconds, cpuSeconds }>. header ← Σ over ranks, then the
// arrays averaged as averageInPlace(arrays, count, false), in one task
// (collectives.h AverageRound); resolves with what the round took (RoundTimes).
Napi::Value AverageRoundJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "averageRound";
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    ThrowType(env, std::string(fn) + ": header must be a Float64Array");
  }
  Held header = Hold(info[0].As<Napi::TypedArray>());
  SharedArrays arrays = ReadSharedArrays(env, fn, info[1], info[2]);
  auto times = std::make_shared<RoundTimes>();
  return Start(
      env, fn,
      [header, arrays, times] {
        return AverageRound(reinterpret_cast<double*>(header.bytes), header.size / sizeof(double), arrays.data,
                            arrays.count, times.get());
      },
      [header, arrays, times](Napi::Env env) {
        WriteBack(header);
        Napi::Object result = Napi::Object::New(env);
        result.Set("headerSeconds", times->header);
        result.Set("seconds", times->rows);
        result.Set("cpuSeconds", times->rows_cpu);
        return result;
      });
}

// [async] broadcast(array: TypedArray, root: number): Promise<void>. array ← root's bytes.
Napi::Value BroadcastJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "broadcast";
  if (!info[0].IsTypedArray()) ThrowType(env, std::string(fn) + ": array must be a typed array");
  const int root = Root(env, fn, info[1]);
  Held held = Hold(info[0].As<Napi::TypedArray>());
  return Start(
      env, fn, [held, root] { return Broadcast(held.bytes, held.size, root); },
      [held](Napi::Env env) {
        WriteBack(held);
        return env.Undefined();
      });
}

// [async] gather(bytes: Uint8Array, root: number): Promise<Uint8Array[] | null>:
// on root every rank's bytes in rank order (sizes may differ), elsewhere null.
Napi::Value GatherJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "gather";
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowType(env, std::string(fn) + ": bytes must be a Uint8Array");
  }
  const int root = Root(env, fn, info[1]);
  Held held = Hold(info[0].As<Napi::TypedArray>());
  auto gathered = std::make_shared<std::vector<std::vector<std::uint8_t>>>();
  auto is_root = std::make_shared<bool>(false);
  return Start(
      env, fn,
      [held, root, gathered, is_root] {
        *is_root = CommThread::Get().rank() == root;
        return Gather(held.bytes, held.size, root, gathered.get());
      },
      [gathered, is_root](Napi::Env env) -> Napi::Value {
        if (!*is_root) return env.Null();
        Napi::Array out = Napi::Array::New(env, gathered->size());
        for (std::size_t r = 0; r < gathered->size(); r++) {
          const std::vector<std::uint8_t>& part = (*gathered)[r];
          Napi::Uint8Array bytes = Napi::Uint8Array::New(env, part.size());
          if (!part.empty()) std::memcpy(bytes.Data(), part.data(), part.size());
          out.Set(static_cast<std::uint32_t>(r), bytes);
        }
        return out;
      });
}

// [async] barrier(): Promise<void>, once every rank called it.
Napi::Value BarrierJs(const Napi::CallbackInfo& info) {
  return Start(
      info.Env(), "barrier", [] { return Barrier(); }, [](Napi::Env env) { return env.Undefined(); });
}

// [sync] communicator(): the world's fastnn_communicator as an external tagged
// with kCommunicatorTag, for the main addon's jobs (native/core/communicator.h).
// Throws when init() has not resolved.
Napi::Value CommunicatorJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int rank = 0, size = 1;
  std::string why;
  CommThread::Get().Run([&] {
    why = Unusable();
    rank = CommThread::Get().rank();
    size = CommThread::Get().size();
  });
  if (!why.empty()) throw Napi::Error::New(env, "communicator: " + why);
  auto* world = const_cast<fastnn_communicator*>(WorldCommunicator(rank, size));
  Napi::External<fastnn_communicator> external = Napi::External<fastnn_communicator>::New(env, world);
  const napi_type_tag tag{kCommunicatorTagLower, kCommunicatorTagUpper};
  NAPI_THROW_IF_FAILED(env, napi_type_tag_object(env, external, &tag), Napi::Value());
  return external;
}

// [sync] finish(exitCode: number): ends this process's part of the run, from
// process.on('exit'), with MPI_Finalize, which returns once every rank has
// called it: ranks that fail together (settings that disagree) each report
// their own error and exit cleanly. A rank that fails alone would wait there
// for ranks still training, so after a failure it waits 2 s at most, then
// ends the process with its exit code; so does a success that cannot finalize
// within 30 s (1), or a process whose communication thread is stuck in a
// collective that will never complete. mpirun then ends every other rank.
Napi::Value FinishJs(const Napi::CallbackInfo& info) {
  const int code = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 1;
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  CommThread::Get().Post([done] {
    CommThread::Get().Finish();
    done->set_value();
  });
  if (finished.wait_for(std::chrono::seconds(code == 0 ? 30 : 2)) != std::future_status::ready) {
    std::_Exit(code == 0 ? 1 : code);
  }
  return info.Env().Undefined();
}

}  // namespace

Napi::Object Register(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New(env, Init, "init"));
  exports.Set("allreduceSum", Napi::Function::New(env, AllreduceSumJs, "allreduceSum"));
  exports.Set("broadcast", Napi::Function::New(env, BroadcastJs, "broadcast"));
  exports.Set("averageInPlace", Napi::Function::New(env, AverageInPlaceJs, "averageInPlace"));
  exports.Set("averageRound", Napi::Function::New(env, AverageRoundJs, "averageRound"));
  exports.Set("gather", Napi::Function::New(env, GatherJs, "gather"));
  exports.Set("barrier", Napi::Function::New(env, BarrierJs, "barrier"));
  exports.Set("communicator", Napi::Function::New(env, CommunicatorJs, "communicator"));
  exports.Set("finish", Napi::Function::New(env, FinishJs, "finish"));
  return exports;
}

}  // namespace fastnn::mpi

// NODE_API_MODULE pastes the function's name into an identifier: an unqualified one.
static Napi::Object RegisterMpi(Napi::Env env, Napi::Object exports) { return fastnn::mpi::Register(env, exports); }
NODE_API_MODULE(fastnn_mpi, RegisterMpi)
