{
  "targets": [
    {
      "target_name": "zoobot_native",
      "sources": ["zoobot_native.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      # -O2, not -O3: with -O3 (GCC 12) a test process crashed in about one run of test/native in six,
      # with -O2 in none of sixteen; training speed is the same within the machines' noise.
      # -fno-trapping-math lets GCC turn float comparisons into vector selects (omp simd loops such as
      # the swish in batch norm): values are unchanged, only floating-point exception flags could differ.
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-fopenmp", "-fno-trapping-math"],
      "libraries": ["-ldnnl", "-lgomp"]
    }
  ]
}
