#!/usr/bin/env node
// Prints the MPI compiler wrapper's compile or link flags for native/mpi/binding.gyp:
// `node scripts/mpi-flags.mjs compile|link`. Open MPI's mpicc answers --showme:compile
// and --showme:link; MPICH's answers -compile_info and -link_info (the compiler's
// name first, dropped here). Exits 1 with a message when there is no mpicc.
import { spawnSync } from 'node:child_process';

const what = process.argv[2];
if (what !== 'compile' && what !== 'link') {
  console.error('usage: node scripts/mpi-flags.mjs compile|link');
  process.exit(2);
}
const mpicc = process.env.MPICC || 'mpicc';
const ask = (args) => spawnSync(mpicc, args, { encoding: 'utf8' });
let r = ask([`--showme:${what}`]);
let flags = r.status === 0 ? r.stdout.trim() : null;
if (flags === null) {
  r = ask([`-${what}_info`]);
  // MPICH: "gcc -I/usr/include/... -L... -lmpi": the compiler, then the flags.
  if (r.status === 0)
    flags = r.stdout
      .trim()
      .split(/\s+/)
      .slice(1)
      .filter((f) => what === 'link' || !/^-c$/.test(f))
      .join(' ');
}
if (flags === null) {
  console.error(`fastnn: ${mpicc} not found or did not answer; install MPI (Debian: openmpi-bin libopenmpi-dev)`);
  process.exit(1);
}
console.log(flags);
