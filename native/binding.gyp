{
  "targets": [
    {
      "target_name": "zoobot_native",
      "sources": ["zoobot_native.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      # -O2: the hot loops vectorise through omp simd and AVX2 clones. (The test crashes once blamed on
      # -O3 were oneDNN's strided 1x1 weight gradient corrupting the heap, at any -O; see the addon.)
      # -fno-trapping-math lets GCC turn float comparisons into vector selects (omp simd loops such as
      # the swish in batch norm): values are unchanged, only floating-point exception flags could differ.
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-fopenmp", "-fno-trapping-math"],
      "libraries": ["-ldnnl", "-lgomp"]
    }
  ]
}
