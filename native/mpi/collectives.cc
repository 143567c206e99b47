#include "collectives.h"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <ctime>
#include <thread>

#include "comm_thread.h"

namespace fastnn::mpi {

namespace {

// Elements reduced per round: bounds the receive buffer (one round's worth)
// and keeps every count an int, as MPI's are.
constexpr std::size_t kSegment = std::size_t{1} << 22;
// Between tests of a transfer under way: short, since the transfer only moves at a test.
constexpr std::chrono::microseconds kDataNap{20};

std::string Failed(const char* call, int code) { return std::string(call) + " failed: " + MpiErrorText(code); }

// Completes a non-blocking call: tested flat out for 100 µs, then every `nap`
// (progress happens inside MPI_Test, so a transfer moves on at each test).
std::string WaitPolitely(MPI_Request& request, const char* call, std::chrono::microseconds nap) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  for (int done = 0;;) {
    const int code = MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (code != MPI_SUCCESS) return Failed(call, code);
    if (done) return "";
    if (Clock::now() - start > std::chrono::microseconds(100)) std::this_thread::sleep_for(nap);
  }
}

// Waits until every rank has reached this collective, without burning a core:
// a blocking MPI call spins while it waits for a rank that is late (still
// training, or descheduled), and that spinning takes the core from this
// rank's own training threads. So a collective made of blocking calls starts
// with an MPI_Ibarrier tested every 200 µs (after 100 µs of testing flat
// out, for ranks that arrive together), then runs blocking, its peers all
// there. (OrderedSum needs none: its own transfers are waited for politely.)
std::string Rendezvous() {
  MPI_Request request;
  const int code = MPI_Ibarrier(MPI_COMM_WORLD, &request);
  if (code != MPI_SUCCESS) return Failed("MPI_Ibarrier", code);
  return WaitPolitely(request, "MPI_Ibarrier", std::chrono::microseconds(200));
}

template <class T>
MPI_Datatype TypeOf();
template <>
MPI_Datatype TypeOf<float>() {
  return MPI_FLOAT;
}
template <>
MPI_Datatype TypeOf<double>() {
  return MPI_DOUBLE;
}

// sum[0 .. count) ← Σ over ranks of in[0 .. count) (in may be sum): a
// reduce-scatter by rank-ordered sums, then an allgather. Rank r receives
// every rank's copy of its part of the segment (Alltoallv), adds them in rank
// order, and the sums are shared (Allgatherv). The same bytes move as in a
// ring allreduce (2·(P−1)/P of the data per rank), and the order of the
// additions is fixed by this code, not by the library's choice of algorithm.
// No rendezvous first: a rank that arrives early waits politely in its
// Alltoallv, and each step a round takes is a wakeup more of a thread that
// shares its core with training.
template <class T>
std::string OrderedSum(const T* in, T* sum, std::size_t count) {
  if (std::string why = Unusable(); !why.empty()) return why;
  const int ranks = CommThread::Get().size(), me = CommThread::Get().rank();
  if (ranks == 1 || count == 0) {
    if (in != sum) std::copy(in, in + count, sum);
    return "";
  }
  std::vector<int> send_counts(ranks), send_displs(ranks), recv_counts(ranks), recv_displs(ranks);
  std::vector<T> received;
  for (std::size_t start = 0; start < count; start += kSegment) {
    const std::size_t m = std::min(kSegment, count - start);
    auto begin = [&](int r) {
      return static_cast<int>(m * static_cast<std::size_t>(r) / static_cast<std::size_t>(ranks));
    };
    const int mine = begin(me + 1) - begin(me);
    for (int r = 0; r < ranks; r++) {
      send_counts[r] = begin(r + 1) - begin(r);
      send_displs[r] = begin(r);
      recv_counts[r] = mine;
      recv_displs[r] = r * mine;
    }
    received.resize(static_cast<std::size_t>(mine) * static_cast<std::size_t>(ranks));
    T* segment = sum + start;
    // Non-blocking, waited for politely: a rank whose MPI thread is descheduled
    // (its cores busy training) must not be waited for by a spinning one.
    MPI_Request request;
    int code = MPI_Ialltoallv(in + start, send_counts.data(), send_displs.data(), TypeOf<T>(), received.data(),
                              recv_counts.data(), recv_displs.data(), TypeOf<T>(), MPI_COMM_WORLD, &request);
    if (code != MPI_SUCCESS) return Failed("MPI_Ialltoallv", code);
    if (std::string why = WaitPolitely(request, "MPI_Ialltoallv", kDataNap); !why.empty()) return why;
    T* part = segment + begin(me);
    for (int i = 0; i < mine; i++) {
      T sum = received[static_cast<std::size_t>(i)];
      for (int r = 1; r < ranks; r++) sum += received[static_cast<std::size_t>(r) * mine + i];
      part[i] = sum;
    }
    code = MPI_Iallgatherv(MPI_IN_PLACE, 0, TypeOf<T>(), segment, send_counts.data(), send_displs.data(), TypeOf<T>(),
                           MPI_COMM_WORLD, &request);
    if (code != MPI_SUCCESS) return Failed("MPI_Iallgatherv", code);
    if (std::string why = WaitPolitely(request, "MPI_Iallgatherv", kDataNap); !why.empty()) return why;
  }
  return "";
}

}  // namespace

std::string Unusable() {
  const CommThread& world = CommThread::Get();
  if (world.finished()) return "MPI is finished in this process (it is exiting)";
  if (!world.initialised()) return "MPI is not initialised: call distributed() first";
  return "";
}

std::string AllreduceSum(float* data, std::size_t count) { return OrderedSum(data, data, count); }
std::string AllreduceSum(double* data, std::size_t count) { return OrderedSum(data, data, count); }

std::string AverageInPlace(const std::vector<float*>& arrays, std::size_t count, bool replace) {
  if (std::string why = Unusable(); !why.empty()) return why;
  const std::size_t total = arrays.size() * count;
  const float inverse = 1.0f / static_cast<float>(CommThread::Get().size());
  std::vector<float> copy, sum;
  // Calls f(array, first element, elements, offset in the segment) for each run of [start, start + m).
  auto runs = [&](std::size_t start, std::size_t m, auto f) {
    for (std::size_t k = 0; k < arrays.size(); k++) {
      const std::size_t lo = std::max(start, k * count), hi = std::min(start + m, (k + 1) * count);
      if (lo < hi) f(arrays[k], lo - k * count, hi - lo, lo - start);
    }
  };
  for (std::size_t start = 0; start < total; start += kSegment) {
    const std::size_t m = std::min(kSegment, total - start);
    copy.resize(m);
    sum.resize(m);
    runs(start, m,
         [&](float* a, std::size_t i, std::size_t n, std::size_t o) { std::copy(a + i, a + i + n, copy.data() + o); });
    if (std::string why = OrderedSum(copy.data(), sum.data(), m); !why.empty()) return why;
    runs(start, m, [&](float* a, std::size_t i, std::size_t n, std::size_t o) {
      for (std::size_t j = 0; j < n; j++) {
        const float mean = sum[o + j] * inverse;
        a[i + j] = replace ? mean : a[i + j] + (mean - copy[o + j]);
      }
    });
  }
  return "";
}

std::string AverageRound(double* header, std::size_t header_count, const std::vector<float*>& arrays, std::size_t count,
                         RoundTimes* times) {
  const auto wall = [] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  };
  const auto cpu = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
  };
  const double started = wall();
  if (std::string why = AllreduceSum(header, header_count); !why.empty()) return why;
  const double summed = wall(), cpu_before = cpu();
  std::string why = AverageInPlace(arrays, count, false);
  times->header = summed - started;
  times->rows = wall() - summed;
  times->rows_cpu = cpu() - cpu_before;
  return why;
}

std::string Broadcast(void* bytes, std::size_t count, int root) {
  if (std::string why = Unusable(); !why.empty()) return why;
  if (root < 0 || root >= CommThread::Get().size())
    return "root " + std::to_string(root) + " is not a rank of this run";
  if (std::string why = Rendezvous(); !why.empty()) return why;
  auto* at = static_cast<char*>(bytes);
  for (std::size_t done = 0; done < count;) {
    const int n = static_cast<int>(std::min<std::size_t>(count - done, INT_MAX));
    const int code = MPI_Bcast(at + done, n, MPI_BYTE, root, MPI_COMM_WORLD);
    if (code != MPI_SUCCESS) return Failed("MPI_Bcast", code);
    done += static_cast<std::size_t>(n);
  }
  return "";
}

std::string Barrier() {
  if (std::string why = Unusable(); !why.empty()) return why;
  return Rendezvous();
}

std::string Gather(const std::uint8_t* bytes, std::size_t size, int root,
                   std::vector<std::vector<std::uint8_t>>* gathered) {
  if (std::string why = Unusable(); !why.empty()) return why;
  const int ranks = CommThread::Get().size(), me = CommThread::Get().rank();
  if (root < 0 || root >= ranks) return "root " + std::to_string(root) + " is not a rank of this run";
  if (std::string why = Rendezvous(); !why.empty()) return why;
  const std::uint64_t mine = size;
  std::vector<std::uint64_t> sizes(static_cast<std::size_t>(ranks));
  int code = MPI_Gather(&mine, 1, MPI_UINT64_T, sizes.data(), 1, MPI_UINT64_T, root, MPI_COMM_WORLD);
  if (code != MPI_SUCCESS) return Failed("MPI_Gather", code);
  // Every rank must take the same path into Gatherv: the root checks the
  // total and tells everybody.
  std::vector<int> counts(static_cast<std::size_t>(ranks)), displs(static_cast<std::size_t>(ranks));
  std::uint64_t total = 0;
  for (int r = 0; r < ranks; r++) total += sizes[static_cast<std::size_t>(r)];
  int fits = me != root || total <= static_cast<std::uint64_t>(INT_MAX);
  code = MPI_Bcast(&fits, 1, MPI_INT, root, MPI_COMM_WORLD);
  if (code != MPI_SUCCESS) return Failed("MPI_Bcast", code);
  if (!fits) return "gather: the ranks' data add up to more than 2 GiB";
  std::vector<std::uint8_t> all(me == root ? total : 0);
  if (me == root) {
    int at = 0;
    for (int r = 0; r < ranks; r++) {
      counts[r] = static_cast<int>(sizes[static_cast<std::size_t>(r)]);
      displs[r] = at;
      at += counts[r];
    }
  }
  code = MPI_Gatherv(bytes, static_cast<int>(mine), MPI_BYTE, all.data(), counts.data(), displs.data(), MPI_BYTE, root,
                     MPI_COMM_WORLD);
  if (code != MPI_SUCCESS) return Failed("MPI_Gatherv", code);
  gathered->clear();
  if (me == root) {
    for (int r = 0; r < ranks; r++) {
      gathered->emplace_back(all.begin() + displs[r], all.begin() + displs[r] + counts[r]);
    }
  }
  return "";
}

}  // namespace fastnn::mpi
