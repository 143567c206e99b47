// Module initialisation only: registers each binding group on the exports.
//
// Napi::Addon gives one instance per environment (main thread, each
// worker_thread), so the addon keeps no per-process state and loads in
// several Workers at once. Per-environment state (thread pools, running
// jobs) belongs in FastnnAddon's members.
#include <napi.h>

#include "napi/bindings.h"

namespace fastnn {

class FastnnAddon : public Napi::Addon<FastnnAddon> {
 public:
  FastnnAddon(Napi::Env env, Napi::Object exports) {
    bindings::RegisterInfo(env, exports);
    bindings::RegisterKernels(env, exports);
    bindings::RegisterNetwork(env, exports);
    bindings::RegisterDispatch(env, exports);
  }

  Runtime& runtime() { return runtime_; }

 private:
  Runtime runtime_;
};

Runtime& bindings::InstanceRuntime(Napi::Env env) { return env.GetInstanceData<FastnnAddon>()->runtime(); }

}  // namespace fastnn

// Named explicitly rather than through NODE_GYP_MODULE_NAME, which only node-gyp defines.
using fastnn::FastnnAddon;
NODE_API_NAMED_ADDON(fastnn, FastnnAddon)
