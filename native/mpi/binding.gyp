# node-gyp build of the optional MPI addon -> native/mpi/build/Release/fastnn_mpi.node
# (`npm run build:mpi`; scripts/install.mjs tries it when mpicc is on the PATH).
# The compile and link flags are the MPI compiler wrapper's (scripts/mpi-flags.mjs:
# Open MPI's --showme, MPICH's -compile_info/-link_info).
{
  'targets': [
    {
      'target_name': 'fastnn_mpi',
      'sources': ['mpi_addon.cc', 'comm_thread.cc', 'collectives.cc', 'communicator_abi.cc'],
      'include_dirs': ["<!(node -p \"require('node-addon-api').include_dir\")"],
      # No MPI C++ bindings (deprecated, and their headers warn): the C API only.
      'defines': ['OMPI_SKIP_MPICXX', 'MPICH_SKIP_MPICXX', 'NAPI_VERSION=8', 'NAPI_CPP_EXCEPTIONS', 'NODE_ADDON_API_DISABLE_DEPRECATED'],
      'cflags!': ['-fno-exceptions'],
      'cflags_cc!': ['-fno-exceptions', '-std=gnu++17', '-std=gnu++20'],
      'cflags_cc': ['-std=c++17', '-fexceptions', '-fvisibility=hidden', '-O2', '-Wall', '-Wextra',
                    "<!@(node ../../scripts/mpi-flags.mjs compile)"],
      'libraries': ["<!@(node ../../scripts/mpi-flags.mjs link)", '-ldl'],
    }
  ]
}
