// The collectives fastnn needs, as MPI calls made on the communication
// thread (comm_thread.h). Each returns an empty string on success, else a
// message saying what failed; none may be called on another thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fastnn::mpi {

// data[0 .. count) ← the sum over ranks, in place, added in rank order
// 0, 1, …, size − 1 whatever the MPI library's reduction algorithms, so all
// ranks get the same bits and a run repeats at the same rank count.
std::string AllreduceSum(float* data, std::size_t count);
std::string AllreduceSum(double* data, std::size_t count);
// arrays[k][0 .. count) ← the mean over ranks, for every k, in place (summed
// as AllreduceSum does, in segments that pack the arrays together). With
// `replace`, each value becomes the mean itself (the same bits on every
// rank); otherwise it gets (mean − the copy sent), so what other threads
// write into the arrays meanwhile is kept (word2vec's rounds, rank-sync.ts).
std::string AverageInPlace(const std::vector<float*>& arrays, std::size_t count, bool replace);
// What a round of AverageRound took, in seconds: the wall time until the
// header was summed (mostly waiting for the other ranks to arrive), the wall
// time of the rows after it, and the CPU time this thread spent on the rows
// (the rest of their wall time it was waiting for peers, or descheduled).
struct RoundTimes {
  double header = 0, rows = 0, rows_cpu = 0;
};
// One round of word2vec's averaging (rank-sync.ts) as one task:
// header[0 .. header_count) ← its sum over ranks (as AllreduceSum), then the
// arrays averaged as AverageInPlace without `replace`. The ranks meet at the
// header and go straight on to the rows, with no return to JS in between.
std::string AverageRound(double* header, std::size_t header_count, const std::vector<float*>& arrays, std::size_t count,
                         RoundTimes* times);
// bytes[0 .. count) ← root's.
std::string Broadcast(void* bytes, std::size_t count, int root);
std::string Barrier();
// On root, `gathered` ← every rank's `bytes`, in rank order (empty elsewhere).
// The sizes may differ from rank to rank.
std::string Gather(const std::uint8_t* bytes, std::size_t size, int root,
                   std::vector<std::vector<std::uint8_t>>* gathered);

// Why a call is refused before MPI sees it, or "" when the world is usable.
std::string Unusable();

}  // namespace fastnn::mpi
