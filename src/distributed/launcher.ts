/**
 * Whether this process was started by an MPI launcher (mpirun, mpiexec,
 * srun --mpi=pmix), from the environment the launcher gives each rank.
 * Outside a launcher fastnn never loads its MPI addon nor initialises MPI,
 * so a plain `node` or `npx fastnn` run is exactly what it is without MPI.
 */

/** Variables that hold the world's size under Open MPI, MPICH/Hydra and Slurm's PMI/PMIx. */
const SIZE_VARIABLES = ['OMPI_COMM_WORLD_SIZE', 'PMI_SIZE', 'PMIX_SIZE'] as const;
/** PMIx (srun --mpi=pmix, prterun) sets the rank and namespace, not always a size. */
const PMIX_VARIABLES = ['PMIX_RANK', 'PMIX_NAMESPACE'] as const;

/** The launcher variable that says this is a rank of an MPI run, or null outside one. */
export function launcherVariable(env: NodeJS.ProcessEnv = process.env): string | null {
  for (const name of SIZE_VARIABLES) if (env[name] !== undefined) return name;
  for (const name of PMIX_VARIABLES) if (env[name] !== undefined) return name;
  return null;
}
