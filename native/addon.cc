// Module initialisation only: registers each binding group on the exports.
//
// Napi::Addon gives one instance per environment (main thread, each
// worker_thread), so the addon keeps no per-process state and loads in
// several Workers at once. Per-environment state (the thread pool and kernel
// path, the running background jobs) lives in FastnnAddon's members; jobs are
// declared last so they are cancelled and joined before the pool goes away.
#include <napi.h>

#include "napi/background_job.h"
#include "napi/bindings.h"
#include "napi/boundary.h"

namespace fastnn {

class FastnnAddon : public Napi::Addon<FastnnAddon> {
 public:
  // A function-try-block: the pool's threads start with runtime_, and a
  // failure to start them must reach require() as a RangeError too.
  FastnnAddon(Napi::Env env, Napi::Object exports) try : jobs_(env) {
    bindings::RegisterDispatch(env, exports);
    bindings::RegisterKernels(env, exports);
    bindings::RegisterNetwork(env, exports);
    bindings::RegisterTrain(env, exports);
    bindings::RegisterTestHooks(env, exports);
    bindings::RegisterWord2vec(env, exports);
  } catch (...) {
    bindings::ThrowIfOutOfMemory(env, "fastnn");
  }

  Runtime& runtime() { return runtime_; }
  bindings::JobRegistry& jobs() { return jobs_; }

 private:
  Runtime runtime_;
  bindings::JobRegistry jobs_;
};

Runtime& bindings::InstanceRuntime(Napi::Env env) { return env.GetInstanceData<FastnnAddon>()->runtime(); }
bindings::JobRegistry& bindings::Jobs(Napi::Env env) { return env.GetInstanceData<FastnnAddon>()->jobs(); }

}  // namespace fastnn

// Named explicitly rather than through NODE_GYP_MODULE_NAME, which only node-gyp defines.
using fastnn::FastnnAddon;
NODE_API_NAMED_ADDON(fastnn, FastnnAddon)
