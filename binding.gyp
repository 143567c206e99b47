# node-gyp build of native/ -> build/Release/fastnn.node (the `npm install` path).
# native/CMakeLists.txt builds the same sources (both read native/sources.txt)
# with the same flags for cmake-js (debug, sanitizers, compile_commands.json).
{
  'targets': [
    {
      'target_name': 'fastnn',
      'sources': [
        "<!@(node -p \"require('fs').readFileSync('native/sources.txt','utf8').split('\\n').map(s=>s.trim()).filter(s=>s&&s[0]!=='#').map(s=>'native/'+s).join(' ')\")"
      ],
      'include_dirs': [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        'native'
      ],
      'defines': [
        'NAPI_VERSION=8',
        'NAPI_CPP_EXCEPTIONS',
        'NODE_ADDON_API_DISABLE_DEPRECATED',
        # A Worker terminated while a job calls into JS makes that call fail; without this,
        # node-addon-api's Napi::Error for the failure aborts the process (Error::Error fatal).
        'NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS',
        # A string literal: "0.1.0", quotes included (JSON.stringify).
        "FASTNN_VERSION=<!(node -p \"JSON.stringify(require('./package.json').version)\")"
      ],
      # Exceptions on: a C++ throw becomes a JS exception, never an abort.
      # Never -ffast-math/-Ofast (NaN checks must survive) nor -march=native
      # (one binary runs on every x86-64/arm64; kernels dispatch at run time).
      'cflags!': ['-fno-exceptions'],
      'cflags_cc!': ['-fno-exceptions', '-std=gnu++17', '-std=gnu++20', '-O2', '-O3'],
      # -ffp-contract=off: GCC fuses a·b + c into one FMA by default in C++ inside
      # the AVX2/AVX-512 regions; the kernels round products and sums separately
      # where they say so, so every path computes what the TS backend computes.
      'cflags': ['-O3', '-fvisibility=hidden', '-ffp-contract=off', '-Wall', '-Wextra'],
      'cflags_cc': ['-std=c++17', '-fexceptions', '-fvisibility=hidden', '-ffp-contract=off', '-O3', '-Wall', '-Wextra'],
      'xcode_settings': {
        'GCC_ENABLE_CPP_EXCEPTIONS': 'YES',
        'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
        'GCC_SYMBOLS_PRIVATE_EXTERN': 'YES',
        'GCC_OPTIMIZATION_LEVEL': '3',
        'OTHER_CPLUSPLUSFLAGS': ['-ffp-contract=off'],
        'MACOSX_DEPLOYMENT_TARGET': '11.0'
      },
      'msvs_settings': {
        'VCCLCompilerTool': {
          'ExceptionHandling': 1,
          'AdditionalOptions': ['/std:c++17', '/O2']
        }
      }
    }
  ]
}
