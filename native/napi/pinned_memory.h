// Holding a borrowed JS array's memory, not just the array object.
//
// A reference to a typed array keeps the object alive, but not its memory:
// transferring the buffer (structuredClone or postMessage with `transfer`)
// detaches it and moves the memory to a new ArrayBuffer, which the GC may
// free at once while a job's thread still writes into it. N-API has no call
// that prevents or survives this, so a job pins V8's BackingStore (shared
// ownership of the memory itself): whoever owns the buffer afterwards, the
// memory lives until the job settles, and the job's writes land in it.
#pragma once

#include <napi.h>

#include <memory>

namespace v8 {
class BackingStore;
}

namespace fastnn::bindings {

// The memory of `value` when it is a typed array, DataView or ArrayBuffer; null otherwise.
std::shared_ptr<v8::BackingStore> PinMemory(Napi::Value value);

}  // namespace fastnn::bindings
